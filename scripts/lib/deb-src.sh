# Sourced by the setup scripts: apt_install PKG… installs what is missing;
# deb_source PKG=VERSION FILE SHA256 DEST fetches FILE of a Debian source
# package into DEST after checking its sha256, adding deb-src twins of the
# machine's own Debian entries (same URIs and suites) the first time.
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
apt_updated=no

apt_install() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "$(basename "$0"): installing ${missing[*]}" >&2
  $sudo apt-get update -qq; apt_updated=yes
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

deb_source() {
  local pin="$1" file="$2" sha="$3" dest="$4" work
  local src_list=/etc/apt/sources.list.d/tool-tests-deb-src.sources
  if [ ! -f "$src_list" ]; then
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] && grep -q "debian-archive-keyring" "$f" && sed -e 's/^Types: deb$/Types: deb-src/' "$f"
    done | $sudo tee "$src_list" >/dev/null
    if [ -f /etc/apt/sources.list ]; then
      grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
        | $sudo tee -a /etc/apt/sources.list.d/tool-tests-deb-src.list >/dev/null || true
    fi
    apt_updated=no
  fi
  [ "$apt_updated" = yes ] || { $sudo apt-get update -qq; apt_updated=yes; }
  work="$(mktemp -d)"
  # Pinned: unpinned, apt picks a security revision whose files may be missing.
  (cd "$work" && apt-get source --download-only -qq "$pin" >/dev/null 2>&1) || {
    echo "$(basename "$0"): apt-get source $pin failed" >&2; rm -rf "$work"; return 1; }
  echo "$sha  $work/$file" | sha256sum -c --quiet || { rm -rf "$work"; return 1; }
  mkdir -p "$(dirname "$dest")"
  mv "$work/$file" "$dest"
  rm -rf "$work"
}

# deb_source_from SUITE PKG=VERSION FILE SHA256 DEST [FILE SHA256 DEST…]: as
# deb_source, from a Debian suite this machine's apt does not list (trixie's
# python3.13 carries upstream's .asc), through an apt state of its own under
# target/ (the machine's apt configuration is left as it is). VERSION may
# end in `*`: the newest revision the suite has that starts so (a rolling
# suite replaces revisions; the files' sha256 pins their content). Debian's
# archive key checks the indexes; each file's sha256 is checked before it is
# moved to DEST.
deb_source_from() {
  local suite="$1" pin="$2" state="$PWD/target/apt-$1" work
  shift 2
  apt_install debian-archive-keyring
  mkdir -p "$state/etc" "$state/lists/partial" "$state/cache/archives/partial"
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$suite" > "$state/etc/$suite.sources"
  local opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$state/etc"
    -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache")
  $sudo apt-get "${opts[@]}" update -qq || { echo "$(basename "$0"): apt-get update ($suite) failed" >&2; return 1; }
  if [ "${pin%\*}" != "$pin" ]; then
    local package="${pin%%=*}" prefix="${pin#*=}" version
    prefix="${prefix%\*}"
    version="$(apt-cache "${opts[@]}" showsrc "$package" | sed -n "s/^Version: \(${prefix//./\\.}.*\)/\1/p" | sort -V | tail -1)"
    [ -n "$version" ] || { echo "$(basename "$0"): $suite has no $package $prefix*" >&2; return 1; }
    pin="$package=$version"
  fi
  work="$(mktemp -d)"; chmod 777 "$work"
  (cd "$work" && apt-get "${opts[@]}" source --download-only -qq "$pin" >/dev/null) || {
    echo "$(basename "$0"): apt-get source $pin ($suite) failed" >&2; rm -rf "$work"; return 1; }
  while [ $# -ge 3 ]; do
    echo "$2  $work/$1" | sha256sum -c --quiet || { rm -rf "$work"; return 1; }
    mkdir -p "$(dirname "$3")"
    mv "$work/$1" "$3"
    shift 3
  done
  rm -rf "$work"
}
