using FluentValidation;
using TravelFunctions.Http.Itineraries;

namespace TravelFunctions.Http.Planning;

public sealed class QueuePlanningJobRequestValidator : AbstractValidator<QueuePlanningJobRequest>
{
    public QueuePlanningJobRequestValidator() =>
        RuleFor(r => r.Notes).NotEmpty().MaximumLength(4000).When(r => r.Notes is not null);
}

public static class PlanningLeases
{
    public const int MinSeconds = 30;
    public const int MaxSeconds = 3600;
    public const int DefaultSeconds = 300;
}

public sealed class ClaimPlanningJobRequestValidator : AbstractValidator<ClaimPlanningJobRequest>
{
    public ClaimPlanningJobRequestValidator() =>
        RuleFor(r => r.LeaseSeconds).InclusiveBetween(PlanningLeases.MinSeconds, PlanningLeases.MaxSeconds).When(r => r.LeaseSeconds is not null);
}

public sealed class HeartbeatRequestValidator : AbstractValidator<HeartbeatRequest>
{
    public HeartbeatRequestValidator()
    {
        RuleFor(r => r.LeaseToken).NotNull();
        RuleFor(r => r.LeaseSeconds).InclusiveBetween(PlanningLeases.MinSeconds, PlanningLeases.MaxSeconds).When(r => r.LeaseSeconds is not null);
    }
}

public sealed class FailPlanningJobRequestValidator : AbstractValidator<FailPlanningJobRequest>
{
    public FailPlanningJobRequestValidator()
    {
        RuleFor(r => r.LeaseToken).NotNull();
        RuleFor(r => r.Error).NotEmpty().MaximumLength(4000);
    }
}

public sealed class CompletePlanningJobRequestValidator : AbstractValidator<CompletePlanningJobRequest>
{
    public CompletePlanningJobRequestValidator()
    {
        RuleFor(r => r.LeaseToken).NotNull();
        RuleFor(r => r.ModelVersion).NotEmpty().MaximumLength(100);
        RuleFor(r => r.InputTokens).GreaterThanOrEqualTo(0).When(r => r.InputTokens is not null);
        RuleFor(r => r.OutputTokens).GreaterThanOrEqualTo(0).When(r => r.OutputTokens is not null);
        RuleFor(r => r.Itinerary).NotNull();
        RuleFor(r => r.AsAi()).SetValidator(new CreateItineraryRequestValidator()!).OverridePropertyName("itinerary")
            .When(r => r.Itinerary is not null);
    }
}

public sealed class FeedbackRequestValidator : AbstractValidator<FeedbackRequest>
{
    public FeedbackRequestValidator()
    {
        RuleFor(r => r.Type).NotNull();
        RuleFor(r => r.Rating).InclusiveBetween(1, 5).When(r => r.Rating is not null);
        RuleFor(r => r.Rating).NotNull().When(r => r.Type == FeedbackType.Rating).WithMessage("A rating has a rating from 1 to 5.");
        RuleFor(r => r.Comment).NotEmpty().MaximumLength(4000).When(r => r.Comment is not null);
        RuleFor(r => r.Comment).NotNull().When(r => r.Type is FeedbackType.Correction or FeedbackType.Suggestion)
            .WithMessage("A correction or a suggestion says what, in comment.");
    }
}
