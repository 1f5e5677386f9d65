namespace CryptoIndex.Engine.Tests;

/// <summary>Numbers people read: invariant culture, half away from zero at the stated places, no trailing zeros.</summary>
public sealed class FormatTests
{
    [Theory]
    [InlineData("0.25", "25%")]
    [InlineData("0.2512345", "25.12%")]
    [InlineData("0.000125", "0.01%")]
    [InlineData("1", "100%")]
    public void Percent(string fraction, string expected) =>
        Assert.Equal(expected, Format.Percent(decimal.Parse(fraction, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("0.062", "+6.2pp")]
    [InlineData("-0.01", "-1pp")]
    [InlineData("0", "0pp")]
    [InlineData("0.00005", "+0.01pp")]
    public void Percentage_points(string fraction, string expected) =>
        Assert.Equal(expected, Format.PercentagePoints(decimal.Parse(fraction, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData(0, 90, 0, "1h30m")]
    [InlineData(36, 0, 0, "36h")]
    [InlineData(0, 0, 0, "0s")]
    [InlineData(720, 0, 5, "720h5s")]
    public void Durations_are_written_as_in_manifests(int hours, int minutes, int seconds, string expected) =>
        Assert.Equal(expected, Format.Duration(new TimeSpan(hours, minutes, seconds)));

    [Fact]
    public void Numbers_use_a_dot_and_no_grouping()
    {
        Assert.Equal("1234567.89", Format.Number(1_234_567.891m, 2));
        Assert.Equal("0.5", Format.Number(0.5000m));
    }
}
