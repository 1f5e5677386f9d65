namespace CryptoIndex.TestCluster; internal static class Placeholder { }
