// Copyright 2026 the winipc authors. MIT license.
//
// pipe_ref.c: the native reference for `deno task bench`, anonymous-pipe
// section. Measures throughput parent -> child -> parent over two anonymous
// pipes (the child's stdin and stdout), from plain C, so the Deno numbers can
// be read against what the platform itself allows.
//
// Build (mingw-w64):
//   x86_64-w64-mingw32-gcc -O2 -Wall -o build/pipe_ref.exe bench/native/pipe_ref.c
// Run:   pipe_ref.exe [ms]   (ms per measurement, default 1000)
//
// For each chunk size the parent starts a copy of itself with the argument
// `cat` (it copies its stdin to its stdout in reads of 1 MiB), writes from a
// second thread while the main thread reads everything back, and times from
// the first write to the last byte read. Prints one JSON object per size on
// stdout, and nothing else there; errors go to stderr with exit status 1.

#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_BUF (1024 * 1024)

static LARGE_INTEGER freq;

static void die(const char *what) {
  fprintf(stderr, "pipe_ref: %s failed (error %lu)\n", what, GetLastError());
  exit(1);
}

static double now_ms(void) {
  LARGE_INTEGER t;
  QueryPerformanceCounter(&t);
  return (double)t.QuadPart * 1000.0 / (double)freq.QuadPart;
}

static void write_full(HANDLE h, const char *buf, DWORD n) {
  while (n > 0) {
    DWORD w = 0;
    if (!WriteFile(h, buf, n, &w, NULL)) die("WriteFile");
    buf += w;
    n -= w;
  }
}

// ---- child: copy stdin to stdout ----

static int cat(void) {
  HANDLE in = GetStdHandle(STD_INPUT_HANDLE), out = GetStdHandle(STD_OUTPUT_HANDLE);
  char *buf = malloc(READ_BUF);
  DWORD r;
  if (!buf) die("malloc");
  for (;;) {
    if (!ReadFile(in, buf, READ_BUF, &r, NULL)) {
      if (GetLastError() == ERROR_BROKEN_PIPE) break;
      die("ReadFile (cat)");
    }
    if (r == 0) break;
    write_full(out, buf, r);
  }
  free(buf);
  return 0;
}

// ---- parent ----

typedef struct {
  HANDLE to_child, from_child, proc;
} Child;

static Child start(void) {
  WCHAR exe[MAX_PATH], cmd[MAX_PATH + 16];
  SECURITY_ATTRIBUTES sa;
  STARTUPINFOW si;
  PROCESS_INFORMATION pi;
  HANDLE child_in, child_out;
  Child c;
  DWORD len = GetModuleFileNameW(NULL, exe, MAX_PATH);
  if (len == 0 || len >= MAX_PATH) die("GetModuleFileNameW");
  _snwprintf(cmd, MAX_PATH + 16, L"\"%ls\" cat", exe);

  memset(&sa, 0, sizeof sa);
  sa.nLength = sizeof sa;
  sa.bInheritHandle = TRUE;
  if (!CreatePipe(&child_in, &c.to_child, &sa, 0)) die("CreatePipe (stdin)");
  if (!CreatePipe(&c.from_child, &child_out, &sa, 0)) die("CreatePipe (stdout)");
  if (!SetHandleInformation(c.to_child, HANDLE_FLAG_INHERIT, 0) ||
      !SetHandleInformation(c.from_child, HANDLE_FLAG_INHERIT, 0))
    die("SetHandleInformation");

  memset(&si, 0, sizeof si);
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = child_in;
  si.hStdOutput = child_out;
  si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
  if (!CreateProcessW(exe, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi))
    die("CreateProcessW");
  CloseHandle(pi.hThread);
  CloseHandle(child_in);
  CloseHandle(child_out);
  c.proc = pi.hProcess;
  return c;
}

static void finish(Child c) {
  char k;
  DWORD r;
  CloseHandle(c.to_child);
  // The child sees end of input, exits, and its stdout reaches end too.
  if (ReadFile(c.from_child, &k, 1, &r, NULL) && r > 0) {
    fprintf(stderr, "pipe_ref: unexpected data from the child\n");
    exit(1);
  }
  if (WaitForSingleObject(c.proc, 30000) != WAIT_OBJECT_0) die("WaitForSingleObject");
  CloseHandle(c.from_child);
  CloseHandle(c.proc);
}

typedef struct {
  HANDLE h;
  const char *buf;
  DWORD size;
  unsigned long long total;
  double t0;
} Writer;

static DWORD WINAPI writer_main(LPVOID arg) {
  Writer *w = (Writer *)arg;
  unsigned long long sent;
  w->t0 = now_ms();
  for (sent = 0; sent < w->total; sent += w->size) write_full(w->h, w->buf, w->size);
  return 0;
}

// Sends total bytes through the child in writes of size (from a second
// thread) and reads them all back; returns the elapsed ms.
static double pass_total(Child *c, const char *buf, DWORD size, unsigned long long total,
                         char *in) {
  Writer w;
  HANDLE thread;
  unsigned long long got = 0;
  double t1;
  w.h = c->to_child;
  w.buf = buf;
  w.size = size;
  w.total = total;
  w.t0 = 0;
  thread = CreateThread(NULL, 0, writer_main, &w, 0, NULL);
  if (!thread) die("CreateThread");
  while (got < total) {
    unsigned long long want = total - got;
    DWORD r;
    if (!ReadFile(c->from_child, in, want < READ_BUF ? (DWORD)want : READ_BUF, &r, NULL)) {
      if (GetLastError() == ERROR_BROKEN_PIPE) {
        fprintf(stderr, "pipe_ref: the child closed its stdout after %llu of %llu bytes\n",
                got, total);
        exit(1);
      }
      die("ReadFile");
    }
    got += r;
  }
  t1 = now_ms();
  if (WaitForSingleObject(thread, INFINITE) != WAIT_OBJECT_0) die("WaitForSingleObject");
  CloseHandle(thread);
  return t1 - w.t0;
}

static unsigned long long round_total(double bytes, DWORD size) {
  unsigned long long chunks = (unsigned long long)(bytes / size);
  if (chunks < 16) chunks = 16;
  return chunks * size;
}

static void bench_throughput(DWORD size, double ms) {
  char *buf = malloc(size), *in = malloc(READ_BUF);
  if (!buf || !in) die("malloc");
  memset(buf, 'x', size);
  Child c = start();
  // Unmeasured warm-up of about ms/4 at ~800 MB/s; it also calibrates the
  // measured total so that the measurement takes roughly ms.
  unsigned long long warm = round_total(0.2e6 * ms, size);
  double wms = pass_total(&c, buf, size, warm, in);
  double rate = (double)warm / (wms > 0.001 ? wms : 0.001);  // bytes per ms
  unsigned long long total = round_total(rate * ms, size);
  double elapsed = pass_total(&c, buf, size, total, in);
  finish(c);
  printf("{\"bench\":\"pipe.throughput\",\"impl\":\"native\",\"size\":%lu,\"mb_per_s\":%.1f}\n",
         (unsigned long)size, (double)total / (elapsed / 1000.0) / 1e6);
  fflush(stdout);
  free(buf);
  free(in);
}

int main(int argc, char **argv) {
  QueryPerformanceFrequency(&freq);
  if (argc == 2 && strcmp(argv[1], "cat") == 0) return cat();
  _setmode(_fileno(stdout), _O_BINARY);
  double ms = argc > 1 ? atof(argv[1]) : 1000.0;
  if (argc > 2 || ms <= 0) {
    fprintf(stderr, "usage: pipe_ref.exe [ms]\n");
    return 2;
  }
  bench_throughput(65536, ms);
  bench_throughput(1048576, ms);
  return 0;
}
