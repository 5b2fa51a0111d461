// Copyright 2026 the winipc authors. MIT license.
// The Wine harness's set-up on a busy machine (Linux only): setup.sh waits,
// saying so and within WINIPC_APT_LOCK_TIMEOUT, while another package
// manager holds apt's or dpkg's locks, and stops with its own error when the
// time passes; run.sh stops with that error instead of going on. The locks
// are held from another process, with flock(1) and with fcntl() as apt and
// dpkg take them. The waiting runs in setup.sh's own function
// (wait_for_apt_lock, setup.sh sourced), against a root in a temporary folder
// and against this machine's real /var/lib/dpkg/lock-frontend.
import { assert, assertEquals, assertMatch, assertNotMatch } from "@std/assert";
import { TextLineStream } from "@std/streams/text-line-stream";

const here = new URL(".", import.meta.url).pathname;
const SETUP = `${here}setup.sh`;
const RUN = `${here}run.sh`;
const LINUX = Deno.build.os === "linux";
const ROOT_USER = LINUX && Deno.uid() === 0;

/** A process that holds a lock on `path` until {@linkcode release}. */
class Holder implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: ReadableStreamDefaultReader<string>;

  /**
   * @param path The file.
   * @param how `flock` (flock(1)) or `fcntl` (a POSIX lock, as dpkg takes it).
   */
  constructor(path: string, how: "flock" | "fcntl") {
    const args = how === "flock" ? ["flock", path, "-c", "echo held; read line"] : [
      "python3",
      "-c",
      "import fcntl, sys; f = open(sys.argv[1], 'a'); fcntl.lockf(f, fcntl.LOCK_EX); " +
      "print('held', flush=True); sys.stdin.readline()",
      path,
    ];
    this.#child = new Deno.Command(args[0]!, {
      args: args.slice(1),
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#lines = this.#child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
      new TextLineStream() as TransformStream<string, string>,
    ).getReader();
  }

  get pid(): number {
    return this.#child.pid;
  }

  /** Resolves once the lock is held. */
  async held(): Promise<void> {
    assertEquals((await this.#lines.read()).value, "held");
  }

  /** Lets go of the lock and waits for the process to end. */
  async release(): Promise<void> {
    await this.#stdin.close().catch(() => {});
    while (!(await this.#lines.read()).done) { /* drain */ }
    await this.#child.status;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}

/**
 * Runs setup.sh's `wait_for_apt_lock ROOT` (setup.sh sourced) with a bound
 * of `bound` seconds; the time it took in ms.
 */
async function waitForAptLock(
  root: string,
  bound: number,
  onStart: () => void = () => {},
): Promise<{ code: number; stderr: string; ms: number; left: string }> {
  const start = performance.now();
  const child = new Deno.Command("bash", {
    args: ["-c", 'source "$0" && wait_for_apt_lock "$1" && echo "$apt_lock_left"', SETUP, root],
    env: { WINIPC_APT_LOCK_TIMEOUT: String(bound) },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  onStart();
  const out = await child.output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stderr: decoder.decode(out.stderr),
    ms: performance.now() - start,
    left: decoder.decode(out.stdout).trim(),
  };
}

/** A root with apt's and dpkg's lock files, in a temporary folder. */
async function fakeRoot(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "winipc-apt-lock-" });
  for (const dir of ["var/lib/dpkg", "var/lib/apt/lists", "var/cache/apt/archives"]) {
    await Deno.mkdir(`${root}/${dir}`, { recursive: true });
  }
  for (
    const lock of ["var/lib/dpkg/lock-frontend", "var/lib/dpkg/lock", "var/lib/apt/lists/lock"]
  ) {
    await Deno.writeFile(`${root}/${lock}`, new Uint8Array(0));
  }
  return root;
}

function hasPython(): boolean {
  try {
    return new Deno.Command("python3", { args: ["-c", "import fcntl"] }).outputSync().success;
  } catch {
    return false;
  }
}

Deno.test({
  name:
    "setup.sh waits for a held apt/dpkg lock, says so, goes on when it is let go, and stops with its own error when the bound passes",
  ignore: !ROOT_USER,
  fn: async (t) => {
    const root = await fakeRoot();
    try {
      await t.step("no lock held: it returns at once, silently", async () => {
        const run = await waitForAptLock(root, 600);
        assertEquals([run.code, run.stderr], [0, ""]);
        assert(run.ms < 2000, `${run.ms} ms`);
        assertEquals(run.left, "600");
      });

      await t.step(
        "flock on lock-frontend, let go after 1.5 s: it waits, then goes on",
        async () => {
          await using holder = new Holder(`${root}/var/lib/dpkg/lock-frontend`, "flock");
          await holder.held();
          const run = await waitForAptLock(
            root,
            30,
            () => setTimeout(() => holder.release(), 1500),
          );
          assertEquals(run.code, 0, run.stderr);
          assert(run.ms >= 1400, `returned after ${run.ms} ms, while the lock was held`);
          assertMatch(
            run.stderr,
            new RegExp(
              `^winipc wine: waiting for another package manager: ${root}/var/lib/dpkg/lock-frontend ` +
                `is held by process ${holder.pid} \\(flock\\); waiting up to 30 s \\(WINIPC_APT_LOCK_TIMEOUT\\)\n` +
                "winipc wine: the other package manager is done \\(waited [12] s\\); going on\n$",
            ),
          );
          assert(Number(run.left) >= 28 && Number(run.left) <= 29, run.left);
        },
      );

      await t.step("flock held past the bound (2 s): it fails with its own message", async () => {
        await using holder = new Holder(`${root}/var/lib/apt/lists/lock`, "flock");
        await holder.held();
        const run = await waitForAptLock(root, 2);
        assertEquals(run.code, 1);
        assert(run.ms >= 2000 && run.ms < 10_000, `gave up after ${run.ms} ms`);
        const lines = run.stderr.trimEnd().split("\n");
        assertEquals(lines.length, 2, run.stderr);
        assertMatch(lines[0]!, /^winipc wine: waiting for another package manager: .*lists\/lock/);
        assertEquals(
          lines[1],
          `winipc wine: error: another package manager still holds ${root}/var/lib/apt/lists/lock ` +
            `(process ${holder.pid} (flock)) after 2 s; let it finish and run this again, or set ` +
            "WINIPC_APT_LOCK_TIMEOUT (seconds) to wait longer",
        );
      });

      await t.step({
        name: "a POSIX lock (fcntl, as dpkg and apt lock) on dpkg/lock: it waits too",
        ignore: !hasPython(),
        fn: async () => {
          await using holder = new Holder(`${root}/var/lib/dpkg/lock`, "fcntl");
          await holder.held();
          const run = await waitForAptLock(
            root,
            30,
            () => setTimeout(() => holder.release(), 1000),
          );
          assertEquals(run.code, 0, run.stderr);
          assert(run.ms >= 900, `returned after ${run.ms} ms, while the lock was held`);
          assertMatch(run.stderr, /dpkg\/lock is held by process \d+ \(python3\)/);
        },
      });

      await t.step("a bound that is not a number is its own error", async () => {
        const child = await new Deno.Command("bash", {
          args: ["-c", 'source "$0" && wait_for_apt_lock "$1"', SETUP, root],
          env: { WINIPC_APT_LOCK_TIMEOUT: "10m" },
        }).output();
        assertEquals(child.code, 1);
        assertEquals(
          new TextDecoder().decode(child.stderr),
          'winipc wine: error: WINIPC_APT_LOCK_TIMEOUT must be a whole number of seconds, got "10m"\n',
        );
      });
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "setup.sh waits for this machine's /var/lib/dpkg/lock-frontend held with flock",
  ignore: !ROOT_USER || !(await Deno.stat("/var/lib/dpkg/lock-frontend").catch(() => null)),
  fn: async () => {
    await using holder = new Holder("/var/lib/dpkg/lock-frontend", "flock");
    await holder.held();
    const run = await waitForAptLock("", 30, () => setTimeout(() => holder.release(), 1000));
    assertEquals(run.code, 0, run.stderr);
    assert(run.ms >= 900, `returned after ${run.ms} ms, while the lock was held`);
    assertMatch(
      run.stderr,
      new RegExp(`/var/lib/dpkg/lock-frontend is held by process ${holder.pid} \\(flock\\)`),
    );
  },
});

Deno.test({
  name: "setup.sh with everything present does not wait for a held lock (it runs no apt-get)",
  ignore: !ROOT_USER,
  fn: async () => {
    // Only a machine whose harness is built: elsewhere this would build it.
    const cache = Deno.env.get("WINIPC_CACHE") ??
      `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`}/winipc`;
    if (!(await Deno.stat(`${cache}/root/.winipc-prefix`).catch(() => null))) return;
    await using holder = new Holder("/var/lib/dpkg/lock-frontend", "flock");
    await holder.held();
    const start = performance.now();
    const out = await new Deno.Command("bash", { args: [SETUP, "--print"] }).output();
    const ms = performance.now() - start;
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, stderr);
    assertNotMatch(stderr, /waiting/);
    assert(ms < 10_000, `${ms} ms`);
    assertMatch(new TextDecoder().decode(out.stdout), /^WINIPC_ROOT=.*\nWINIPC_DENO_EXE=/);
  },
});

Deno.test({
  name:
    "run.sh stops with the set-up's own error when setup.sh fails (no shell error, nothing run)",
  ignore: !LINUX,
  fn: async () => {
    // A copy of run.sh beside a setup.sh that fails as the real one does.
    const dir = await Deno.makeTempDir({ prefix: "winipc-run-" });
    try {
      await Deno.mkdir(`${dir}/tools/wine`, { recursive: true });
      await Deno.copyFile(RUN, `${dir}/tools/wine/run.sh`);
      await Deno.writeTextFile(
        `${dir}/tools/wine/setup.sh`,
        "#!/usr/bin/env bash\necho 'winipc wine: error: could not get the dpkg lock' >&2\nexit 3\n",
      );
      await Deno.chmod(`${dir}/tools/wine/setup.sh`, 0o755);
      const out = await new Deno.Command("bash", {
        args: [`${dir}/tools/wine/run.sh`, "--version"],
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assertEquals(out.code, 3, stderr);
      assertEquals(
        stderr,
        "winipc wine: error: could not get the dpkg lock\n" +
          "winipc wine: the Wine harness is not set up (the error above); nothing was run\n",
      );
      assertEquals(out.stdout.length, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
