using System.Text.RegularExpressions;
using CsCheck;

namespace CryptoIndex.Exchanges.Tests;

public sealed partial class ClientOrderIdTests
{
    [GeneratedRegex("^[a-zA-Z0-9_-]{1,36}$")]
    private static partial Regex BinanceAlphabet();

    [Fact]
    public void Format_is_prefix_fund_sequence_leg()
    {
        Assert.Equal("ci-3f2b9c1e8a7d-42-3", ClientOrderId.Create("3f2b9c1e-8a7d-4e21-9b3c-5d6e7f8a9b0c", 42, 3));
    }

    [Fact]
    public void Longest_id_fits_36_characters()
    {
        var id = ClientOrderId.Create(Guid.NewGuid().ToString(), ClientOrderId.MaxSequence, ClientOrderId.MaxLeg);
        Assert.Equal(35, id.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClientOrderId.Create("uid", ClientOrderId.MaxSequence + 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClientOrderId.Create("uid", 1, 0));
    }

    [Fact]
    public void Ids_have_the_binance_alphabet_and_length_and_read_back()
    {
        Gen.Select(Gen.Guid, Gen.Long[0, ClientOrderId.MaxSequence], Gen.Int[1, ClientOrderId.MaxLeg]).Sample((uid, sequence, leg) =>
        {
            var id = ClientOrderId.Create(uid.ToString(), sequence, leg);
            Assert.Matches(BinanceAlphabet(), id);
            Assert.True(ClientOrderId.TryParse(id, out var fund, out var s, out var l));
            Assert.Equal((ClientOrderId.FundPart(uid.ToString()), sequence, leg), (fund, s, l));
        });
    }

    [Fact]
    public void Different_legs_or_sequences_of_a_fund_never_share_an_id()
    {
        Gen.Select(Gen.String, Gen.Long[0, ClientOrderId.MaxSequence], Gen.Int[1, ClientOrderId.MaxLeg], Gen.Long[0, ClientOrderId.MaxSequence], Gen.Int[1, ClientOrderId.MaxLeg])
            .Where((uid, s1, l1, s2, l2) => uid.Length > 0 && !string.IsNullOrWhiteSpace(uid) && (s1, l1) != (s2, l2))
            .Sample((uid, s1, l1, s2, l2) =>
            {
                var first = ClientOrderId.Create(uid, s1, l1);
                Assert.Matches(BinanceAlphabet(), first);
                Assert.NotEqual(first, ClientOrderId.Create(uid, s2, l2));
            });
    }

    [Fact]
    public void Same_inputs_give_the_same_id()
    {
        Assert.Equal(ClientOrderId.Create("fund-without-hex-uid", 7, 2), ClientOrderId.Create("fund-without-hex-uid", 7, 2));
        Assert.Matches(BinanceAlphabet(), ClientOrderId.Create("fund-without-hex-uid", 7, 2));
    }
}
