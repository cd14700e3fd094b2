# shellcheck shell=bash
# Sourced by the scripts that install what a fresh machine lacks: Debian/Ubuntu packages through
# apt-get, with sudo when not root.

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# apt_candidate PACKAGE: true when the configured apt sources offer PACKAGE (after refreshing them).
apt_candidate() {
  as_root apt-get update -qq
  apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [^(]'
}

# require_commands TAG COMMAND[=PACKAGE]...: installs the package of each missing command (the package
# is named like the command unless given), saying so on stderr as [TAG].
require_commands() {
  local tag="$1" spec command package
  shift
  for spec in "$@"; do
    command="${spec%%=*}"; package="${spec#*=}"
    command -v "$command" >/dev/null && continue
    echo "[$tag] installing $package" >&2
    apt_install "$package"
  done
}
