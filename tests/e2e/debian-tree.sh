# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the e2e scripts that install Debian from a tree over HTTP (FTP,
# NFS): the tree, laid out as a mirror does, from the package
# debian-installer-12-netboot-amd64, how to tell the installer's first
# screen in a screenshot, and an NFS server on 127.0.0.1 (start_nfs).

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
# port_open PORT: something listens on 127.0.0.1:PORT.
port_open () { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_nfs DIR WORK: serves DIR read-only over NFS (v3 and v4, TCP) on
# 127.0.0.1 with nfs-ganesha's VFS FSAL, as tests/install/test-install-nfs.c
# does, so that nfs://127.0.0.1DIR/… reads DIR/…. Starts rpcbind too, unless
# something listens on port 111 already. Its configuration, log, pid file and
# NFSv4 recovery state go into WORK. Needs root (the VFS FSAL opens files by
# handle) and a DIR on a file system with file handles (/tmp is ext4 here).
# Appends the pids it started to NFS_PIDS, even on failure (kill them when
# done: stop_nfs); returns 0 once nfs-ls (libnfs-utils) lists DIR through
# the server, else 1 with the reason, and the log, in NFS_ERROR.
NFS_PIDS=()
NFS_ERROR=
start_nfs () {
  local dir=$1 work=$2 ganesha rpcbind
  NFS_ERROR=
  ganesha=$(command -v ganesha.nfsd || echo /usr/bin/ganesha.nfsd)
  rpcbind=$(command -v rpcbind || echo /usr/sbin/rpcbind)
  if [ "$(id -u)" -ne 0 ]; then
    NFS_ERROR="needs root: nfs-ganesha's VFS export opens files by handle"; return 1
  fi
  if [ ! -x "$ganesha" ] || [ ! -e /usr/lib/x86_64-linux-gnu/ganesha/libfsalvfs.so ]; then
    NFS_ERROR="nfs-ganesha is missing: install nfs-ganesha and nfs-ganesha-vfs (tools/deps/test.txt)"; return 1
  fi
  command -v nfs-ls >/dev/null || { NFS_ERROR="nfs-ls is missing: install libnfs-utils (tools/deps/test.txt)"; return 1; }
  if port_open 2049; then
    NFS_ERROR="something already listens on 127.0.0.1:2049 (another NFS server?): stop it to run this test"; return 1
  fi
  mkdir -p "$work" || { NFS_ERROR="cannot make $work"; return 1; }
  if ! port_open 111; then
    [ -x "$rpcbind" ] || { NFS_ERROR="rpcbind is missing: install rpcbind (tools/deps/test.txt)"; return 1; }
    "$rpcbind" -f -w >"$work/rpcbind.log" 2>&1 &
    NFS_PIDS+=($!)
    for _ in $(seq 100); do port_open 111 && break; sleep 0.05; done
    port_open 111 || { NFS_ERROR="rpcbind did not start: $(cat "$work/rpcbind.log")"; return 1; }
  fi
  cat >"$work/ganesha.conf" <<EOT
NFS_CORE_PARAM {
  Bind_addr = 127.0.0.1;
  Protocols = 3, 4;
  Enable_NLM = false;
  Enable_RQUOTA = false;
}
NFSV4 {
  Graceless = true;
  RecoveryRoot = "$work/recovery";
}
EXPORT {
  Export_Id = 77;
  Path = "$dir";
  Pseudo = "$dir";
  Access_Type = RO;
  Squash = No_Root_Squash;
  Protocols = 3, 4;
  Transports = TCP;
  SecType = sys;
  FSAL { Name = VFS; }
}
EOT
  "$ganesha" -F -f "$work/ganesha.conf" -L "$work/ganesha.log" -p "$work/ganesha.pid" \
    >"$work/ganesha.out" 2>&1 &
  local pid=$!
  NFS_PIDS+=($pid)
  # Up when the export can be listed through libnfs.
  for _ in $(seq 100); do
    if port_open 2049 && timeout 10 nfs-ls "nfs://127.0.0.1$dir/" >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    NFS_ERROR="nfs-ganesha did not serve $dir within 20 s; nfs-ls says: $(timeout 10 nfs-ls "nfs://127.0.0.1$dir/" 2>&1 | tail -n 3)"
  else
    NFS_ERROR="nfs-ganesha exited: $(cat "$work/ganesha.out")"
  fi
  # Its complaints, without those about D-Bus and Kerberos (none here, and
  # harmless); else the end of its log.
  local said
  said=$(grep -E ':(FATAL|CRIT|MAJ|WARN) :' "$work/ganesha.log" 2>/dev/null |
         grep -v ':DBUS :\|NFS CB :\|principal nfs\|krb5\|RADOS' | tail -n 20)
  [ -n "$said" ] || said=$(tail -n 10 "$work/ganesha.log" 2>/dev/null)
  NFS_ERROR+=$'\n'"$work/ganesha.log says:"$'\n'"$(sed 's/^.*\] //' <<<"$said")"
  return 1
}
# stop_nfs: kills what start_nfs started and waits (up to 5 s) until it is gone.
stop_nfs () {
  local p
  for p in "${NFS_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${NFS_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
  NFS_PIDS=()
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
