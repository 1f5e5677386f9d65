namespace CryptoIndex.Engine.Planning;

public enum OrderSide
{
    Buy,
    Sell,
}
