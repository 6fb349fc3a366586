#!/usr/bin/env bash
# Makes sure the real peers the interop tests and benchmarks drive are installed, from Debian's
# packages. Installs what is missing when running as root; otherwise fails with the command to run.
#   usage: scripts/ensure-peers.sh [ffmpeg] [nginx-rtmp] [gstreamer]   (default: ffmpeg)
set -euo pipefail

wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=(ffmpeg)

# gst-inspect-1.0 --exists looks at its first name only: one call per element.
gstreamer_elements_present() {
  command -v gst-inspect-1.0 >/dev/null 2>&1 || return 1
  local element
  for element in rtmp2sink rtmp2src flvmux flvdemux matroskamux x264enc voaacenc h264parse \
    aacparse videotestsrc audiotestsrc; do
    gst-inspect-1.0 --exists "$element" || return 1
  done
}

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
    gstreamer)
      # The elements the GStreamer interop test runs, not just gst-launch-1.0: each plugin set is
      # its own package, and a machine may have the tools with only some of them. -base has the
      # test sources, -good flvmux/flvdemux, matroskamux and aacparse, -bad rtmp2sink/rtmp2src
      # and h264parse, -ugly x264enc. The AAC encoder is voaacenc, in -bad too (the package
      # depends on libvo-aacenc0): no gstreamer1.0-libav with its FFmpeg libraries for
      # avenc_aac, and fdkaacenc has no package in Debian's archive.
      if ! gstreamer_elements_present; then
        packages+=(gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
          gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly)
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
