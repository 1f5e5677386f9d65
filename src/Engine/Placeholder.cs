namespace CryptoIndex.Engine; internal static class Placeholder { }
