using CryptoIndex.Operator.Api;
using CsCheck;

namespace CryptoIndex.Operator.Tests.Api;

public sealed class ValuesTests
{
    [Theory]
    [InlineData("25%", "0.25")]
    [InlineData("0.1%", "0.001")]
    [InlineData("100%", "1")]
    [InlineData("0%", "0")]
    [InlineData("12.34567891%", "0.1234567891")]
    public void Percentages_parse_exactly(string text, string fraction)
    {
        Assert.True(Values.TryParsePercent(text, out var value));
        Assert.Equal(decimal.Parse(fraction, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("25")]
    [InlineData("101%")]
    [InlineData("-5%")]
    [InlineData("5 %")]
    [InlineData("1e2%")]
    [InlineData("0.123456789%")]
    [InlineData("")]
    [InlineData(null)]
    public void Malformed_percentages_are_refused(string? text) => Assert.False(Values.TryParsePercent(text, out _));

    [Fact]
    public void Every_percentage_written_back_parses_to_the_same_value()
    {
        Gen.Int[0, 100_000_000].Select(units => units / 1_000_000m).Sample(percent =>
        {
            var text = Values.Percent(percent / 100m);
            Assert.True(Values.TryParsePercent(text, out var back), text);
            Assert.Equal(percent / 100m, back);
        }, iter: 2000);
    }

    [Theory]
    [InlineData("720h", 720, 0, 0)]
    [InlineData("1h30m", 1, 30, 0)]
    [InlineData("90s", 0, 0, 90)]
    [InlineData("2h3m4s", 2, 3, 4)]
    public void Durations_parse_as_go_writes_them(string text, int hours, int minutes, int seconds)
    {
        Assert.True(Values.TryParseDuration(text, out var value));
        Assert.Equal(new TimeSpan(hours, minutes, seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1d")]
    [InlineData("1.5h")]
    [InlineData("30m1h")]
    [InlineData("h")]
    [InlineData("-1h")]
    public void Malformed_durations_are_refused(string text) => Assert.False(Values.TryParseDuration(text, out _));

    [Theory]
    [InlineData("100000", true)]
    [InlineData("2500.50", true)]
    [InlineData("0.00000001", true)]
    [InlineData("1e5", false)]
    [InlineData("-1", false)]
    [InlineData("1,000", false)]
    [InlineData("0.000000001", false)]
    public void Amounts_are_plain_decimals(string text, bool valid) => Assert.Equal(valid, Values.TryParseAmount(text, out _));

    /// <summary>
    /// A manual weight's pattern admits exactly the percentages the percent pattern admits that are above 0, whatever
    /// the zeros (0%, 00.000%) or the place of the first non-zero decimal: whole parts at and around the pattern's edges,
    /// each with every decimal part of 0 to 9 places built from the digits 0, 1 and 9.
    /// </summary>
    [Fact]
    public void A_manual_weight_is_any_percentage_above_0()
    {
        var percent = new System.Text.RegularExpressions.Regex(Formats.PercentPattern);
        var positive = new System.Text.RegularExpressions.Regex(Formats.PositivePercentPattern);
        var fractions = new List<string> { string.Empty };
        for (var places = 1; places <= 9; places++)
        {
            fractions.AddRange(Fractions(places).Select(f => "." + f));
        }

        string[] wholes = ["0", "00", "000", "1", "05", "9", "10", "50", "99", "100", "101", "1000"];
        var mismatches = (from whole in wholes
                          from fraction in fractions
                          let text = whole + fraction + "%"
                          let expected = percent.IsMatch(text) && decimal.Parse(text.TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture) > 0m
                          where positive.IsMatch(text) != expected
                          select text).Take(10).ToList();

        Assert.Empty(mismatches);
        Assert.DoesNotMatch(positive, "0%");
        Assert.DoesNotMatch(positive, "0.000%");
        Assert.Matches(positive, "0.00000001%");

        static IEnumerable<string> Fractions(int places) => places == 0
            ? [string.Empty]
            : Fractions(places - 1).SelectMany(f => new[] { f + "0", f + "1", f + "9" });
    }
}
