/**
 * Java interop for tests: compile small Java programs against Debian's Curator jars and run them
 * beside the Node code under test, talking over a line protocol.
 *
 * ```ts
 * const classpath = await compileInteropPeers();           // test/interop/java/**.java, cached
 * await using peer = await runJava('interop.DiscoveryPeer', [zk.connectString], { classpath });
 * const answer = await peer.request('query db');           // the text after `ok `
 * ```
 *
 * The protocol (interop/LinePeer.java implements the Java side): the program prints `ready`
 * once it is connected; then, for each command line on stdin, exactly one line on stdout:
 * `ok <result>` or `error <message>`. Logs go to stderr (kept for error messages). To add a
 * peer (an InterProcessMutex, a LeaderLatch), put a class extending LinePeer next to
 * DiscoveryPeer: `compileInteropPeers()` compiles every file of that folder.
 *
 * Compiled classes are cached in the OS temp dir under a hash of the sources and classpath:
 * test files of one run (and later runs) share one javac.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const JARS = '/usr/share/java';

/** Debian packages that provide the jars below (plus a JDK 17 for javac). */
export const JAVA_APT_PACKAGES = [
  'openjdk-17-jdk-headless',
  'libcurator-client-java',
  'libcurator-framework-java',
  'libcurator-recipes-java',
  'libcurator-discovery-java',
  'libzookeeper-java',
  'libguava-java',
  'libjackson2-core-java',
  'libjackson2-databind-java',
  'libjackson2-annotations-java',
  'libslf4j-java',
  'libnetty-java',
] as const;

/** Curator 5.4 and what it needs at compile and run time. */
export const CURATOR_CLASSPATH: readonly string[] = [
  'curator-client',
  'curator-framework',
  'curator-recipes',
  'curator-x-discovery',
  'zookeeper',
  'zookeeper-jute',
  'guava',
  'slf4j-api',
  'jackson-databind',
  'jackson-core',
  'jackson-annotations',
  'netty-handler',
  'netty-transport',
  'netty-common',
  'netty-buffer',
].map((jar) => join(JARS, `${jar}.jar`));

/** Run time only: the ZooKeeper client and Curator log WARN and above to stderr. */
const RUNTIME_JARS = [join(JARS, 'slf4j-simple.jar')];

const PEERS_DIR = fileURLToPath(new URL('./java/', import.meta.url));

/** Compiles every `.java` file under test/interop/java; resolves the runtime classpath. */
export function compileInteropPeers(): Promise<string> {
  return compileJava(listJavaFiles(PEERS_DIR));
}

const compiled = new Map<string, Promise<string>>();

/**
 * Compiles `sources` (paths of .java files) against `classpath` (default: Curator's) into a
 * cached directory; resolves the classpath to run them with. Throws with the missing jars and
 * the apt packages to install, or with javac's output.
 */
export function compileJava(
  sources: readonly string[],
  classpath: readonly string[] = CURATOR_CLASSPATH,
): Promise<string> {
  const missing = classpath.filter((jar) => !existsSync(jar));
  if (missing.length > 0)
    return Promise.reject(
      new Error(`missing ${missing.join(', ')}: apt-get install -y ${JAVA_APT_PACKAGES.join(' ')}`),
    );
  const hash = createHash('sha256');
  for (const entry of [...classpath, ...sources]) hash.update(`${entry}\0`);
  for (const source of sources) hash.update(readFileSync(source));
  const key = hash.digest('hex').slice(0, 16);
  let result = compiled.get(key);
  if (result === undefined) {
    result = Promise.resolve().then(() => javac(sources, classpath, key));
    compiled.set(key, result);
  }
  return result;
}

/** Runs javac into a private directory, then renames it into place (other test files may race). */
function javac(sources: readonly string[], classpath: readonly string[], key: string): string {
  const out = join(tmpdir(), `zookeeper-recipes-javac-${key}`);
  const runtime = [out, ...classpath, ...RUNTIME_JARS].join(':');
  if (existsSync(out)) return runtime;
  const staging = `${out}.${process.pid}.${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  const run = spawnSync(
    'javac',
    ['-nowarn', '-encoding', 'UTF-8', '-d', staging, '-cp', classpath.join(':'), ...sources],
    { encoding: 'utf8' },
  );
  if (run.error !== undefined || run.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`javac failed: ${run.error?.message ?? ''}${run.stderr}${run.stdout}`);
  }
  try {
    renameSync(staging, out);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process put it in place first
  }
  return runtime;
}

function listJavaFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.java'))
    .sort()
    .map((file) => join(dir, file));
}

export interface RunJavaOptions {
  /** From `compileJava` / `compileInteropPeers`. */
  readonly classpath: string;
  /** How long to wait for `ready` (default 30 s: JVM start and a Curator connection). */
  readonly readyTimeoutMs?: number;
}

/** Starts `mainClass` and resolves once it printed `ready`. */
export async function runJava(
  mainClass: string,
  args: readonly string[],
  options: RunJavaOptions,
): Promise<JavaProcess> {
  const child = spawn(
    'java',
    [
      '-XX:TieredStopAtLevel=1', // a short-lived peer: fast start beats peak speed
      '-Dorg.slf4j.simpleLogger.logFile=System.err',
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      '-cp',
      options.classpath,
      mainClass,
      ...args,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const peer = new JavaProcess(mainClass, child);
  try {
    await peer.expectLine('ready', options.readyTimeoutMs ?? 30_000);
  } catch (err) {
    await peer.stop();
    throw err;
  }
  return peer;
}

/** A running Java peer: send commands, read its answers line by line (one reader at a time). */
export class JavaProcess implements AsyncDisposable {
  readonly child: ChildProcess;
  readonly #name: string;
  readonly #lines: string[] = [];
  #wake: (() => void) | undefined;
  #stderr = '';
  #exited: number | string | undefined;

  constructor(name: string, child: ChildProcess) {
    this.#name = name;
    this.child = child;
    if (child.stdout === null || child.stderr === null) throw new Error('spawn with stdio pipes');
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.#lines.push(line);
      this.#wake?.();
    });
    child.stderr.on('data', (chunk) => {
      this.#stderr = (this.#stderr + String(chunk)).slice(-20_000);
    });
    child.on('exit', (code, signal) => {
      this.#exited = code ?? signal ?? 'exit';
      this.#wake?.();
    });
    child.stdin?.on('error', () => undefined); // writes after exit surface in nextLine instead
  }

  /** What the program wrote to stderr (the last 20 kB). */
  get stderr(): string {
    return this.#stderr;
  }

  /** Sends one command line. */
  send(line: string): void {
    if (line.includes('\n')) throw new Error('one command per line');
    this.child.stdin?.write(`${line}\n`);
  }

  /** The next stdout line; rejects if the program exits first or after `timeoutMs`. */
  async nextLine(timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.#lines.length === 0) {
      if (this.#exited !== undefined)
        throw new Error(`${this.#name} exited (${this.#exited}): ${this.#stderr}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`${this.#name}: no line after ${timeoutMs} ms: ${this.#stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    return this.#lines.shift() as string;
  }

  /** Reads the next line and checks it is `expected`. */
  async expectLine(expected: string, timeoutMs?: number): Promise<void> {
    const line = await this.nextLine(timeoutMs);
    if (line !== expected)
      throw new Error(`${this.#name}: expected "${expected}", got "${line}": ${this.#stderr}`);
  }

  /** Sends `command`; resolves the text after `ok `, rejects with the text after `error `. */
  async request(command: string, timeoutMs?: number): Promise<string> {
    this.send(command);
    const line = await this.nextLine(timeoutMs);
    if (line === 'ok' || line.startsWith('ok ')) return line.slice(3);
    if (line.startsWith('error ')) throw new Error(`${this.#name} ${command}: ${line.slice(6)}`);
    throw new Error(`${this.#name} ${command}: unexpected line "${line}"`);
  }

  /** Closes stdin (the peer's cue to close and exit), then kills it if it lingers. Idempotent. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.#exited !== undefined) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /** Kills the JVM at once (SIGKILL): its sessions end only by timing out. */
  async kill(): Promise<void> {
    if (this.#exited !== undefined) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
