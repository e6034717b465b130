#!/bin/sh
set -e

# As the official Node.js image's: run `node ARGS` when the first argument is an option or not a
# command found on PATH.
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi

exec "$@"
