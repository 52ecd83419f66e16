#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# no-libvirt.sh COMMAND ARGS…: runs COMMAND where no libvirt daemon can be
# reached or started, as on a machine without libvirt, even where this one
# has libvirt installed or running: in a mount namespace of its own, an empty
# tmpfs hides /run/libvirt (the daemons' sockets) and the daemons' programs
# are not executable (nothing can autostart one). Needs root and unshare.
set -eu
if [ "${VIREO_NO_LIBVIRT:-}" != 1 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "Bail out! no-libvirt.sh: hiding libvirt needs root"; exit 1; }
  command -v unshare >/dev/null || { echo "Bail out! no-libvirt.sh: unshare (util-linux) is missing"; exit 1; }
  exec env VIREO_NO_LIBVIRT=1 unshare --mount --propagation private -- bash "$0" "$@"
fi
if [ -d /run/libvirt ]; then mount -t tmpfs -o mode=0755 tmpfs /run/libvirt; fi
for daemon in /usr/sbin/libvirtd /usr/sbin/virtqemud /usr/sbin/virtxend /usr/sbin/virtproxyd \
              /usr/sbin/virtlogd /usr/sbin/virtlockd; do
  if [ -e "$daemon" ]; then mount --bind /dev/null "$daemon"; fi
done
exec "$@"
