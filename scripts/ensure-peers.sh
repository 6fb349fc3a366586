#!/usr/bin/env bash
# Makes sure the real peers the interop tests and benchmarks drive are installed, from Debian's
# packages. Installs what is missing when running as root; otherwise fails with the command to run.
#   usage: scripts/ensure-peers.sh [ffmpeg] [nginx-rtmp]   (default: ffmpeg)
set -euo pipefail

wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=(ffmpeg)

packages=()
for peer in "${wanted[@]}"; do
  case "$peer" in
    ffmpeg)
      command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || packages+=(ffmpeg)
      ;;
    nginx-rtmp)
      # Debian puts nginx in /usr/sbin, which is not on a regular user's PATH.
      if ! { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } ||
        [ ! -f /usr/lib/nginx/modules/ngx_rtmp_module.so ]; then
        packages+=(nginx-light libnginx-mod-rtmp)
      fi
      ;;
    *)
      echo "ensure-peers: unknown peer '$peer'" >&2
      exit 2
      ;;
  esac
done

[ ${#packages[@]} -eq 0 ] && exit 0

command_line="apt-get update && apt-get install -y --no-install-recommends ${packages[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-peers: missing ${packages[*]}. Install them as root with:" >&2
  echo "  sudo sh -c '$command_line'" >&2
  exit 1
fi
echo "ensure-peers: installing ${packages[*]} from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
