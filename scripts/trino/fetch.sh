#!/usr/bin/env bash
# Fetch and unpack the Trino server used by the integration tests
# (internal/testenv/trinoserver) and the Trino engine's documentation.
#
#   scripts/trino/fetch.sh [DEST]
#
# The version is pinned in scripts/trino/VERSION (the only place), the
# plugins in scripts/trino/PLUGINS and every artifact's SHA-256 in
# scripts/trino/SHA256SUMS. DEST defaults to $REPO/.cache/trino/$VERSION.
# io.trino:trino-server-core:$VERSION:tar.gz and the plugin zips
# io.trino:trino-<plugin>:$VERSION:zip come from Maven Central through
# `mvn dependency:copy` with strict checksums; each is then checked against
# SHA256SUMS before it is unpacked (the server into DEST/trino-server-$VERSION,
# the plugins into its plugin/ folder). A second run does nothing and
# touches no network. Concurrent runs are serialised with flock.
#
# On success the last line on stdout is the absolute path of the unpacked
# server (the directory holding bin/launcher); everything else goes to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
version="$(tr -d '[:space:]' <"$here/VERSION")"
dest="${1:-$repo/.cache/trino/$version}"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"
dist="$dest/trino-server-$version"
stamp="$(cat "$here/VERSION" "$here/PLUGINS" "$here/SHA256SUMS" | sha256sum | cut -c1-16)"
marker="$dest/.unpacked-$stamp"

log() { echo "trino/fetch.sh: $*" >&2; }

done_already() { [[ -f "$marker" && -x "$dist/bin/launcher" ]]; }

if done_already; then
  echo "$dist"
  exit 0
fi

exec 9>"$dest/.lock"
flock 9
if done_already; then # another run finished while we waited
  echo "$dist"
  exit 0
fi

# fetch ARTIFACT-ID TYPE: the file's path in $dest, downloaded once.
fetch() {
  local id="$1" type="$2" file="$dest/$1-$version.$2"
  if [[ ! -s "$file" ]]; then
    command -v mvn >/dev/null || { log "mvn not found (needed to fetch from Maven Central)"; exit 1; }
    log "downloading io.trino:$id:$version:$type via Maven ..."
    local tmpout="$dest/.download-$id"
    rm -rf "$tmpout"
    mvn -B -q -C -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="io.trino:$id:$version:$type" \
      -DoutputDirectory="$tmpout" -Dmdep.overWriteReleases=true >&2
    mv "$tmpout/$id-$version.$type" "$file"
    rm -rf "$tmpout"
  fi
  local want
  want="$(awk -v f="$id-$version.$type" '$2 == f { print $1 }' "$here/SHA256SUMS")"
  [[ -n "$want" ]] || { log "no SHA-256 for $id-$version.$type in scripts/trino/SHA256SUMS"; exit 1; }
  if [[ "$(sha256sum "$file" | cut -d' ' -f1)" != "$want" ]]; then
    log "$file does not match its SHA-256 in scripts/trino/SHA256SUMS: removed"
    rm -f "$file"
    exit 1
  fi
  echo "$file"
}

core="$(fetch trino-server-core tar.gz)"
plugins=()
while read -r p; do
  [[ -z "$p" || "$p" == \#* ]] && continue
  plugins+=("$p")
done <"$here/PLUGINS"
zips=()
for p in "${plugins[@]}"; do
  zips+=("$(fetch "trino-$p" zip)")
done

log "unpacking $core ..."
rm -rf "$dist" "$dest/.unpack"
mkdir -p "$dest/.unpack"
tar -xzf "$core" -C "$dest/.unpack"
# the archive holds a single top-level directory trino-server-core-$version or trino-server-$version
top="$(ls "$dest/.unpack")"
mv "$dest/.unpack/$top" "$dist"
rm -rf "$dest/.unpack"
mkdir -p "$dist/plugin"
for z in "${zips[@]}"; do
  unzip -q -o "$z" -d "$dist/plugin"
done
[[ -x "$dist/bin/launcher" ]] || { log "unpacked server has no bin/launcher"; exit 1; }
rm -f "$dest"/.unpacked-*
touch "$marker"
log "ready: $dist"
echo "$dist"
