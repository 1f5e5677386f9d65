# syntax=docker/dockerfile:1
# The operator image: built with the .NET 10 SDK, run on the chiseled ASP.NET runtime (no shell, no package
# manager, non-root). Build from the repository root:  docker build -t cryptoindex-operator:dev .
# tests/Packaging.Tests runs the same restore and publish commands and starts the output with the same entrypoint.

# The build runs on the builder's own platform: the published IL is portable, so multi-arch images need no emulation.
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
WORKDIR /src

# Restore first, from the project files only, so that source edits do not invalidate the package layer.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Engine/CryptoIndex.Engine.csproj src/Engine/
COPY src/MarketData/CryptoIndex.MarketData.csproj src/MarketData/
COPY src/Exchanges/CryptoIndex.Exchanges.csproj src/Exchanges/
COPY src/Operator/CryptoIndex.Operator.csproj src/Operator/
COPY src/Operator/Runtime/CryptoIndex.Operator.Runtime.csproj src/Operator/Runtime/
COPY src/LocalKube/CryptoIndex.LocalKube.csproj src/LocalKube/
RUN dotnet restore src/Operator/CryptoIndex.Operator.csproj

COPY src/ src/
# The operator's sandbox command embeds the documented sample funds (the in-process API server is in src/LocalKube).
COPY config/samples/ config/samples/
RUN dotnet publish src/Operator/CryptoIndex.Operator.csproj --no-restore -c Release -o /app -p:UseAppHost=false

# Framework-dependent on the chiseled ASP.NET image (Kestrel serves /healthz, /readyz and /metrics).
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled
WORKDIR /app
COPY --from=build /app .
# Invariant globalization (also set in the build): the chiseled image has no ICU. Diagnostics stay on: the chart mounts
# an emptyDir at /tmp, so a read-only root filesystem works.
ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true
# Health probes and Prometheus metrics.
EXPOSE 8081
# The .NET images' non-root user (UID 1654); the Helm chart also sets runAsNonRoot and runAsUser.
USER $APP_UID
ENTRYPOINT ["dotnet", "/app/cryptoindex.dll"]
CMD ["run"]
