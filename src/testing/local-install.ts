/**
 * Finds a ZooKeeper installation and a Java runtime on this machine, to run servers as child
 * JVMs. Two layouts are known:
 * - `ZOOKEEPER_HOME`: an Apache release (jars in `lib/`, log config in `conf/`). When it is set
 *   it is the only place looked at, so a wrong value is reported instead of silently ignored.
 * - Debian's `zookeeper` package: `/usr/share/java/zookeeper.jar`, whose manifest Class-Path
 *   names its dependencies. We never use its zkServer.sh: Debian's zkEnv.sh hard-codes
 *   /etc/zookeeper/conf.
 */
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface LocalInstall {
  /** The java executable. */
  java: string;
  classpath: string;
  /** Where the jars came from, for messages. */
  source: string;
}

export type LocalInstallResult =
  | { ok: true; install: LocalInstall }
  | { ok: false; reason: string };

const DEBIAN_JAR = '/usr/share/java/zookeeper.jar';
// Without an slf4j binding the server logs nothing; slf4j-simple writes INFO lines to stderr,
// which the local provider sends to the server's log file.
const DEBIAN_SLF4J = '/usr/share/java/slf4j-simple.jar';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findJava(env: NodeJS.ProcessEnv): string | undefined {
  if (env.JAVA_HOME) {
    const java = join(env.JAVA_HOME, 'bin', 'java');
    if (isExecutable(java)) return java;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && isExecutable(join(dir, 'java'))) return join(dir, 'java');
  }
  return undefined;
}

function hasZooKeeperJar(dir: string): boolean {
  try {
    return readdirSync(dir).some((name) => /^zookeeper-\d[\w.-]*\.jar$/.test(name));
  } catch {
    return false;
  }
}

function releaseClasspath(home: string): string | undefined {
  const lib = join(home, 'lib');
  if (!hasZooKeeperJar(lib) && !hasZooKeeperJar(home)) return undefined;
  return [join(home, 'conf'), join(home, '*'), join(lib, '*')].join(delimiter);
}

/** Looks for Java and ZooKeeper jars; says what is missing otherwise. */
export function findLocalInstall(env: NodeJS.ProcessEnv = process.env): LocalInstallResult {
  let classpath: string;
  let source: string;
  if (env.ZOOKEEPER_HOME) {
    const found = releaseClasspath(env.ZOOKEEPER_HOME);
    if (found === undefined) {
      return {
        ok: false,
        reason: `ZOOKEEPER_HOME=${env.ZOOKEEPER_HOME} holds no zookeeper-<version>.jar (in lib/ or at its top)`,
      };
    }
    classpath = found;
    source = env.ZOOKEEPER_HOME;
  } else if (existsSync(DEBIAN_JAR)) {
    classpath = existsSync(DEBIAN_SLF4J) ? `${DEBIAN_JAR}${delimiter}${DEBIAN_SLF4J}` : DEBIAN_JAR;
    source = DEBIAN_JAR;
  } else {
    return {
      ok: false,
      reason: `no local install (ZOOKEEPER_HOME is not set and ${DEBIAN_JAR} does not exist)`,
    };
  }
  const java = findJava(env);
  if (java === undefined) {
    return { ok: false, reason: `ZooKeeper found in ${source} but no java (JAVA_HOME or PATH)` };
  }
  return { ok: true, install: { java, classpath, source } };
}
