# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the e2e scripts that install Debian from a tree over HTTP:
# the tree, laid out as a mirror does, from the package
# debian-installer-12-netboot-amd64, and how to tell the installer's first
# screen in a screenshot.

DI=/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64

# debian_tree DIR: dists/bookworm/… under DIR, with the netboot kernel and
# initrd, MANIFEST and Release.
debian_tree () {
  local tree=$1
  local images="$tree/dists/bookworm/main/installer-amd64/current/images"
  mkdir -p "$images/netboot/debian-installer/amd64" || return 1
  cp "$DI/linux" "$DI/initrd.gz" "$images/netboot/debian-installer/amd64/" || return 1
  cat >"$images/MANIFEST" <<EOT
netboot/debian-installer/amd64/initrd.gz: initrd for netboot install
netboot/debian-installer/amd64/linux: kernel for netboot install
EOT
  cat >"$tree/dists/bookworm/Release" <<EOT
Origin: Debian
Label: Debian
Suite: stable
Version: 12.0
Codename: bookworm
Architectures: amd64
Components: main
EOT
}

# Share of the screen in the Debian installer's blue (newt's background).
blue_share () {
  convert "$1" -fx '(b > 0.45 && r < 0.25 && g < 0.25) ? 1 : 0' -format '%[fx:mean]' info: 2>/dev/null
}
# Share of the bottom line in newt's grey: the installer's help line, the
# first thing its text frontend draws.
helpline_share () {
  convert "$1" -gravity South -crop 100%x2%+0+0 +repage \
    -fx '(abs(r - 0.68) < 0.06 && abs(g - 0.67) < 0.06 && abs(b - 0.68) < 0.06) ? 1 : 0' \
    -format '%[fx:mean]' info: 2>/dev/null
}
# Share of the screen that is not black.
lit_share () {
  convert "$1" -colorspace Gray -threshold 10% -format '%[fx:mean]' info: 2>/dev/null
}

free_port () { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port () {
  for _ in $(seq 100); do
    /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1',$1),1)" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# wait_installer_screen VIREOCTL URI NAME PNG: polls screenshots until the
# installer's first screen shows (its blue dialog, or at least the help line
# its text frontend draws first). TCG on a loaded machine is slow: up to
# VIREO_E2E_INSTALLER_WAIT seconds, 900 by default. Prints its progress as
# TAP comments; returns 0 when seen.
wait_installer_screen () {
  local ctl=$1 uri=$2 name=$3 png=$4 share line
  local deadline=$((SECONDS + ${VIREO_E2E_INSTALLER_WAIT:-900}))
  while [ "$SECONDS" -lt "$deadline" ]; do
    sleep 10
    if timeout 60 "$ctl" -c "$uri" screenshot "$name" "$png" >/dev/null 2>&1; then
      share=$(blue_share "$png"); line=$(helpline_share "$png")
      echo "# after ${SECONDS} s: blue share $share, help line $line"
      if /usr/bin/python3 -c "import sys; sys.exit(0 if float('$share' or 0) > 0.3 or float('$line' or 0) > 0.5 else 1)"; then
        return 0
      fi
    fi
  done
  echo "# last: blue share ${share:-none}, help line ${line:-none}"
  return 1
}
