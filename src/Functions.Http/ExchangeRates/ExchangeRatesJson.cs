using System.Text.Json.Serialization;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.ExchangeRates;

/// <summary>Compile-time JSON metadata for this feature's bodies, ahead of reflection (ApiJson.AddJsonContracts).</summary>
[JsonSerializable(typeof(RecordExchangeRatesRequest))]
[JsonSerializable(typeof(RecordExchangeRatesResponse))]
[JsonSerializable(typeof(Page<ExchangeRateResponse>))]
internal sealed partial class ExchangeRatesJson : JsonSerializerContext;
