# Sourced by the scripts that install what a fresh machine lacks: Debian packages through apt-get,
# with sudo when not root.

apt_install() {
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; fi
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
