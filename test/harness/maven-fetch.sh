# Fetching jars from Maven Central into the harness cache, for setup.sh (Kafka) and sdk-java.sh (the
# CloudEvents Java SDK). Sourced, not run: the caller has sourced versions.env
# (MAVEN_DEPENDENCY_PLUGIN_VERSION) and decides where the jars go and what to say on failure.
# shellcheck shell=bash

# maven_copy_dependencies WORK ARTIFACT_ID GROUP:ARTIFACT:VERSION...
# Writes WORK/pom.xml (project ARTIFACT_ID) depending on each GROUP:ARTIFACT:VERSION and has Maven
# copy them with their runtime dependencies into WORK/libs. On failure it prints the last lines of
# Maven's log, removes WORK and returns 1.
maven_copy_dependencies() {
  local work=$1 project=$2
  shift 2
  local dependencies='' coordinate group artifact version
  for coordinate in "$@"; do
    IFS=: read -r group artifact version <<<"$coordinate"
    dependencies+="    <dependency>
      <groupId>$group</groupId><artifactId>$artifact</artifactId><version>$version</version>
    </dependency>
"
  done
  cat >"$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.trigger-broker.test</groupId>
  <artifactId>$project</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
$dependencies  </dependencies>
</project>
EOF
  if ! mvn -q -B -f "$work/pom.xml" \
    "org.apache.maven.plugins:maven-dependency-plugin:$MAVEN_DEPENDENCY_PLUGIN_VERSION:copy-dependencies" \
    -DincludeScope=runtime -DoutputDirectory="$work/libs" >"$work/mvn.log" 2>&1; then
    tail -n 15 "$work/mvn.log" >&2
    rm -rf "$work"
    return 1
  fi
}

# install_fetched_libs WORK LIBS
# Puts WORK/libs in place as LIBS (replacing what was there), marks it complete with LIBS/.complete
# and removes WORK. Only a whole fetch gets the mark, so an interrupted one is fetched again.
install_fetched_libs() {
  local work=$1 libs=$2
  rm -rf "$libs"
  mkdir -p "$(dirname "$libs")"
  mv "$work/libs" "$libs"
  touch "$libs/.complete"
  rm -rf "$work"
}
