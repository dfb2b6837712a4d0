#!/usr/bin/env bash
# Fetch and unpack the Keycloak server distribution used by the integration
# tests (internal/testenv/keycloak).
#
#   scripts/keycloak/fetch.sh [DEST]
#
# The version is pinned in scripts/keycloak/VERSION (the only place).
# DEST defaults to $REPO/.cache/keycloak/$VERSION. The artifact
# org.keycloak:keycloak-quarkus-dist:$VERSION:zip comes from Maven Central
# through `mvn dependency:copy`; it is unpacked once into DEST/keycloak-$VERSION.
# A second run does nothing. Concurrent runs are serialised with flock.
#
# On success the last line on stdout is the absolute path of the unpacked
# distribution (the directory holding bin/kc.sh); everything else goes to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
version="$(tr -d '[:space:]' <"$here/VERSION")"
dest="${1:-$repo/.cache/keycloak/$version}"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"
dist="$dest/keycloak-$version"
marker="$dest/.unpacked"

log() { echo "keycloak/fetch.sh: $*" >&2; }

done_already() { [[ -f "$marker" && -x "$dist/bin/kc.sh" ]]; }

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

zip="$dest/keycloak-quarkus-dist-$version.zip"
if [[ ! -s "$zip" ]]; then
  command -v mvn >/dev/null || { log "mvn not found (needed to fetch from Maven Central)"; exit 1; }
  log "downloading org.keycloak:keycloak-quarkus-dist:$version:zip via Maven ..."
  start=$(date +%s)
  tmpout="$dest/.download"
  rm -rf "$tmpout"
  mvn -B -q -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.keycloak:keycloak-quarkus-dist:$version:zip" \
    -DoutputDirectory="$tmpout" -Dmdep.overWriteReleases=true >&2
  mv "$tmpout/keycloak-quarkus-dist-$version.zip" "$zip"
  rm -rf "$tmpout"
  log "downloaded in $(( $(date +%s) - start ))s ($(du -h "$zip" | cut -f1))"
fi

log "unpacking $zip ..."
rm -rf "$dist" "$dest/.unpack"
mkdir -p "$dest/.unpack"
unzip -q "$zip" -d "$dest/.unpack"
# the zip holds a single top-level directory keycloak-$version
mv "$dest/.unpack/keycloak-$version" "$dist"
rm -rf "$dest/.unpack"
[[ -x "$dist/bin/kc.sh" ]] || { log "unpacked distribution has no bin/kc.sh"; exit 1; }
touch "$marker"
log "ready: $dist"
echo "$dist"
