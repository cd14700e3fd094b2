using FluentValidation;
using TravelFunctions.Data.Itineraries;
using TravelFunctions.Http.Infrastructure;
using TravelFunctions.Http.Trips;

namespace TravelFunctions.Http.Itineraries;

/// <summary>The rules of 0018's columns, for every item member that is present (create and add add what is required).</summary>
public sealed class ItineraryItemFieldRules : AbstractValidator<IItineraryItemFields>
{
    public const string TimePattern = @"^([01][0-9]|2[0-3]):[0-5][0-9]\z";

    public ItineraryItemFieldRules()
    {
        RuleFor(r => r.Title).NotEmpty().MaximumLength(200).Must(t => t!.Trim().Length > 0).When(r => r.Title is not null)
            .WithMessage("'title' must not be empty.");
        RuleFor(r => r.Description).MaximumLength(4000);
        RuleFor(r => r.StartTime).Matches(TimePattern).WithMessage("A time is \"HH:mm\", 00:00 to 23:59.");
        RuleFor(r => r.EndTime).Matches(TimePattern).WithMessage("A time is \"HH:mm\", 00:00 to 23:59.");
        RuleFor(r => r.EndTime).Must((r, end) => string.CompareOrdinal(end, r.StartTime) >= 0)
            .When(r => r.StartTime is not null && r.EndTime is not null).WithMessage("The end time must not be before the start time.");
        RuleFor(r => r.DurationMinutes).InclusiveBetween(1, 1440);
        RuleFor(r => r.CostPerPerson!).SetValidator(new MoneyValidator()).When(r => r.CostPerPerson is not null);
        RuleFor(r => r.AttractionId).Null().When(r => r.ItemType is not null && r.ItemType != ItineraryItemType.Attraction)
            .WithMessage("Only an item of type attraction points at an attraction.");
        RuleFor(r => r.Status).NotEqual(ItineraryItemStatus.Delayed)
            .WithMessage("An item is delayed with POST .../items/{itemId}/delay, which makes its copy in the other day.");
        RuleFor(r => r.AiReason).NotEmpty().MaximumLength(2000).When(r => r.AiReason is not null);
        RuleFor(r => r.AiConfidence).InclusiveBetween(0m, 1m)
            .Must(c => c is null || decimal.Round(c.Value, 2) == c.Value).WithMessage("'aiConfidence' is 0 to 1 with at most two decimals.");
        RuleFor(r => r.UserRating).InclusiveBetween(1, 5);
    }
}

public sealed class ItineraryItemInputValidator : AbstractValidator<ItineraryItemInput>
{
    public ItineraryItemInputValidator()
    {
        RuleFor(r => r.ItemType).NotNull();
        RuleFor(r => r.Title).NotNull();
        Include(new ItineraryItemFieldRules());
    }
}

public sealed class CreateItineraryRequestValidator : AbstractValidator<CreateItineraryRequest>
{
    public const int MaxDays = 366;
    public const int MaxItems = 2000;

    public CreateItineraryRequestValidator()
    {
        RuleFor(r => r.Title).NotEmpty().MaximumLength(200).Must(t => t!.Trim().Length > 0).When(r => r.Title is not null)
            .WithMessage("'title' must not be empty.");
        RuleFor(r => r.GeneratedBy).NotNull();
        RuleFor(r => r.ModelVersion).NotEmpty().MaximumLength(100).When(r => r.ModelVersion is not null);
        RuleFor(r => r.ModelVersion).Null().When(r => r.GeneratedBy == ItineraryGeneratedBy.Manual)
            .WithMessage("A manual itinerary has no model version.");
        RuleFor(r => r.Days).NotEmpty();
        RuleFor(r => r.Days).Must(d => d!.Count <= MaxDays).When(r => r.Days is not null).WithMessage($"At most {MaxDays} days.");
        RuleFor(r => r.Days).Must(d => d!.Sum(x => x?.Items?.Count ?? 0) <= MaxItems).When(r => r.Days is not null)
            .WithMessage($"At most {MaxItems} items in one itinerary.");
        RuleFor(r => r.Days).Must(d => d!.Where(x => x?.DayNumber is not null).GroupBy(x => x!.DayNumber).All(g => g.Count() == 1))
            .When(r => r.Days is not null).WithMessage("Each day number appears once.");
        RuleFor(r => r.Days).Must(d => d!.Where(x => x?.Date is not null).GroupBy(x => x!.Date).All(g => g.Count() == 1))
            .When(r => r.Days is not null).WithMessage("Each date appears once.");
        RuleForEach(r => r.Days).NotNull().SetValidator(new ItineraryDayInputValidator());
    }
}

public sealed class ItineraryDayInputValidator : AbstractValidator<ItineraryDayInput>
{
    public ItineraryDayInputValidator()
    {
        RuleFor(d => d.DayNumber).NotNull().InclusiveBetween(1, 366);
        RuleFor(d => d.Date).NotNull();
        RuleFor(d => d.City).NotEmpty().MaximumLength(100).Must(t => t!.Trim().Length > 0).When(d => d.City is not null)
            .WithMessage("'city' must not be empty.");
        RuleFor(d => d.Title).NotEmpty().MaximumLength(200).Must(t => t!.Trim().Length > 0).When(d => d.Title is not null)
            .WithMessage("'title' must not be empty.");
        RuleFor(d => d.Items).Must(i => i!.Count <= ItineraryStore.MaxItemsPerDay).When(d => d.Items is not null)
            .WithMessage($"A day holds at most {ItineraryStore.MaxItemsPerDay} items.");
        RuleForEach(d => d.Items).NotNull().SetValidator(new ItineraryItemInputValidator());
    }
}

public sealed class AddItineraryItemRequestValidator : AbstractValidator<AddItineraryItemRequest>
{
    public AddItineraryItemRequestValidator()
    {
        RuleFor(r => r.DayId).NotNull().When(r => r.DayNumber is null).WithMessage("Name the day: dayId or dayNumber.");
        RuleFor(r => r.DayNumber).Null().When(r => r.DayId is not null).WithMessage("Name the day once: dayId or dayNumber, not both.");
        RuleFor(r => r.DayNumber).InclusiveBetween(1, 366);
        RuleFor(r => r.Position).InclusiveBetween(1, ItineraryStore.MaxItemsPerDay);
        RuleFor(r => r.ItemType).NotNull();
        RuleFor(r => r.Title).NotNull();
        Include(new ItineraryItemFieldRules());
    }
}

public sealed class UpdateItineraryItemRequestValidator : AbstractValidator<UpdateItineraryItemRequest>
{
    public UpdateItineraryItemRequestValidator()
    {
        // Members an item cannot be without: null in a merge patch would clear them, which is refused.
        RuleFor(r => r.ItemType).NotNull().When(r => r.Sent.Contains("itemType")).WithMessage(MergePatch.CannotClear);
        RuleFor(r => r.Title).NotNull().When(r => r.Sent.Contains("title")).WithMessage(MergePatch.CannotClear);
        RuleFor(r => r.Status).NotNull().When(r => r.Sent.Contains("status")).WithMessage(MergePatch.CannotClear);
        RuleFor(r => r.BookingRequired).NotNull().When(r => r.Sent.Contains("bookingRequired")).WithMessage(MergePatch.CannotClear);
        Include(new ItineraryItemFieldRules());
    }
}

/// <summary>Move and delay name the target day the same way.</summary>
public sealed class MoveItineraryItemRequestValidator : AbstractValidator<MoveItineraryItemRequest>
{
    public MoveItineraryItemRequestValidator()
    {
        RuleFor(r => r.ToDayId).NotNull().When(r => r.ToDayNumber is null).WithMessage("Name the day: toDayId or toDayNumber.");
        RuleFor(r => r.ToDayNumber).Null().When(r => r.ToDayId is not null).WithMessage("Name the day once: toDayId or toDayNumber, not both.");
        RuleFor(r => r.ToDayNumber).InclusiveBetween(1, 366);
        RuleFor(r => r.Position).InclusiveBetween(1, ItineraryStore.MaxItemsPerDay);
    }
}

public sealed class DelayItineraryItemRequestValidator : AbstractValidator<DelayItineraryItemRequest>
{
    public DelayItineraryItemRequestValidator()
    {
        RuleFor(r => r.ToDayId).NotNull().When(r => r.ToDayNumber is null).WithMessage("Name the day: toDayId or toDayNumber.");
        RuleFor(r => r.ToDayNumber).Null().When(r => r.ToDayId is not null).WithMessage("Name the day once: toDayId or toDayNumber, not both.");
        RuleFor(r => r.ToDayNumber).InclusiveBetween(1, 366);
        RuleFor(r => r.Position).InclusiveBetween(1, ItineraryStore.MaxItemsPerDay);
    }
}

public sealed class ReorderItineraryDayRequestValidator : AbstractValidator<ReorderItineraryDayRequest>
{
    public ReorderItineraryDayRequestValidator()
    {
        RuleFor(r => r.ItemIds).NotNull();
        RuleFor(r => r.ItemIds).Must(ids => ids!.Count <= ItineraryStore.MaxItemsPerDay && ids.Distinct().Count() == ids.Count)
            .When(r => r.ItemIds is not null).WithMessage($"Each item id once, at most {ItineraryStore.MaxItemsPerDay}.");
    }
}
