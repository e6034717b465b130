#!/bin/sh
# Runs a command in an image's root filesystem the way a container runtime would, for
# test/deploy/image.test.ts (starting containers is refused on this machine). Started by the test as
#   unshare --mount --net --pid --fork --kill-child sh run-in-image.sh ROOT DATA CONFIG UID:GID WORKDIR -- ENV... -- CMD...
# so it runs as PID 1 of fresh mount, network and PID namespaces, and execs CMD, which becomes PID 1:
#   - the root filesystem read-only (as Kubernetes' readOnlyRootFilesystem), /proc and /dev in it
#   - DATA bind-mounted read-write at /data (a volume), CONFIG read-only at /config
#   - loopback only, so the image's fixed ports do not collide with anything on the machine
#   - as UID:GID, in WORKDIR, with exactly the environment ENV... (the image's Env)
set -eu
root=$1 data=$2 config=$3 user=$4 workdir=$5
shift 5
[ "$1" = -- ] && shift
envs=""
while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
  envs="$envs $1"
  shift
done
[ "${1:-}" = -- ] && shift

ip link set lo up
mount --make-rprivate /
mount --bind "$root" "$root"
mount -o remount,bind,ro "$root"
mount --bind "$data" "$root/data"
mount --bind "$config" "$root/config"
mount -o remount,bind,ro "$root/config"
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=755,nosuid dev "$root/dev"
for node in null zero full random urandom tty; do
  touch "$root/dev/$node"
  mount --bind "/dev/$node" "$root/dev/$node"
done
ln -s /proc/self/fd "$root/dev/fd"
mkdir "$root/dev/shm"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"

# shellcheck disable=SC2086 # each of $envs is one NAME=VALUE word
exec chroot --userspec="$user" "$root" /usr/bin/env -i -C "$workdir" $envs "$@"
