#!/usr/bin/env bash
# Builds a ZooKeeper image from this machine's Java and Debian `zookeeper` package, without a
# registry: a minimal root filesystem (the JRE, the ZooKeeper jars, the shared libraries they
# load, /bin/sh) imported with `docker import`. For machines whose Docker engine cannot pull the
# official `zookeeper` image.
#
#   bash scripts/build-zookeeper-image.sh [TAG]      (default TAG: zookeeper-recipes/zookeeper:local)
#
# The image follows the contract the container provider relies on (src/testing/container-provider.ts):
# it runs a server from /conf/zoo.cfg, with JVM options from $JVMFLAGS.
set -euo pipefail
tag=${1:-zookeeper-recipes/zookeeper:local}

java_bin=$(readlink -f "$(command -v java)")
java_home=$(dirname "$(dirname "$java_bin")")
zk_jar=/usr/share/java/zookeeper.jar
[[ -f $zk_jar ]] || { echo "no $zk_jar: run bash scripts/setup.sh --no-npm" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

# The JRE, with its symlinks into /etc resolved so the tree stands alone.
mkdir -p "$root$java_home"
# (lib/src.zip is a dangling link unless the JDK sources are installed.)
tar -C "$java_home" -ch --exclude=./lib/src.zip . | tar -C "$root$java_home" -x

# zookeeper.jar names its dependencies by absolute path in its manifest Class-Path.
# (Manifest lines wrap at 72 bytes; a continuation line starts with a space.)
deps=$(unzip -p "$zk_jar" META-INF/MANIFEST.MF | tr -d '\r' |
  awk '/^ / { line = line substr($0, 2); next } { if (line != "") print line; line = $0 } END { print line }' |
  sed -n 's/^Class-Path: //p')
mkdir -p "$root/usr/share/java"
for jar in "$zk_jar" /usr/share/java/slf4j-simple.jar $deps; do
  [[ -e $jar ]] && cp -L "$jar" "$root$jar"
done

# Shared libraries of java, the JRE's own libraries and /bin/sh, plus glibc's NSS modules (for
# host name lookups in the server's log of its environment).
libs=$( { ldd "$java_bin"; find "$java_home" -name '*.so' -exec ldd {} \; ; ldd /bin/sh; } 2>/dev/null |
  grep -o '/[^ ]*\.so[^ ]*' | sort -u)
for lib in $libs /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2; do
  [[ -e $lib ]] || continue
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/conf" "$root/data"
chmod 1777 "$root/tmp"
cp -L /bin/sh "$root/bin/sh"
printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"

classpath=$zk_jar:/usr/share/java/slf4j-simple.jar
tar -C "$root" -c . | docker import \
  --change "ENV PATH=$java_home/bin:/bin" \
  --change "ENV JVMFLAGS=" \
  --change "CMD [\"/bin/sh\", \"-c\", \"exec java \$JVMFLAGS -cp $classpath org.apache.zookeeper.server.quorum.QuorumPeerMain /conf/zoo.cfg\"]" \
  - "$tag"
echo "built $tag"
