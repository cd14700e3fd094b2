using System.Text;
using FluentValidation;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Conversations;

public sealed class CreateConversationRequestValidator : AbstractValidator<CreateConversationRequest>
{
    public CreateConversationRequestValidator()
    {
        RuleFor(r => r.AgentType).NotNull();
        RuleFor(r => r.Title).Must(t => t!.Trim().Length is >= 1 and <= 200).When(r => r.Title is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage("title is 1 to 200 characters.");
    }
}

public sealed class PostMessageRequestValidator : AbstractValidator<PostMessageRequest>
{
    public const int MaxContentBytes = 65536;
    public const int MaxMetadataBytes = 32 * 1024;

    public PostMessageRequestValidator()
    {
        RuleFor(r => r.Role).NotNull();
        RuleFor(r => r.Content).NotEmpty()
            .Must(c => Encoding.UTF8.GetByteCount(c!) <= MaxContentBytes).When(r => r.Content is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage($"content is at most {MaxContentBytes} bytes of UTF-8.");
        RuleFor(r => r.AgentName).Must(a => a!.Trim().Length is >= 1 and <= 100).When(r => r.AgentName is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage("agentName is 1 to 100 characters.");
        RuleFor(r => r.Metadata).Stored("metadata", MaxMetadataBytes, objectOnly: true);
        RuleFor(r => r.InputTokens).GreaterThanOrEqualTo(0);
        RuleFor(r => r.OutputTokens).GreaterThanOrEqualTo(0);
    }
}

public sealed class CloseConversationRequestValidator : AbstractValidator<CloseConversationRequest>
{
    public CloseConversationRequestValidator()
    {
        RuleFor(r => r.Status).NotNull();
        RuleFor(r => r.Reason).NotEmpty().When(r => r.Status == CloseStatus.Escalated, ApplyConditionTo.CurrentValidator)
            .WithMessage("An escalation needs a reason for the human who picks it up.");
        RuleFor(r => r.Reason).Must(t => t!.Trim().Length is >= 1 and <= 2000).When(r => r.Reason is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage("reason is 1 to 2000 characters.");
    }
}
