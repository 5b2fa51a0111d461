// Copyright 2026 the winipc authors. MIT license.
//
// mailslot_ref.c: the native reference for `deno task bench`, mailslot
// section. Measures how many messages per second one process can send to
// another through a mailslot, from plain C, so the Deno numbers can be read
// against what the platform itself allows.
//
// Build (mingw-w64):
//   x86_64-w64-mingw32-gcc -O2 -Wall -o build/mailslot_ref.exe bench/native/mailslot_ref.c
// Run:   mailslot_ref.exe [ms]   (ms per measurement, default 1000)
//
// For each message size the parent creates a mailslot
// \\.\mailslot\winipc-ref-PID-N (no size limit, read timeout
// MAILSLOT_WAIT_FOREVER) and starts a copy of itself with the arguments
// `send NAME SIZE COUNT`: the child opens the mailslot (retrying for up to
// 10 s while it does not exist yet), writes COUNT messages of SIZE bytes as
// fast as it can with WriteFile, and exits. The parent reads the messages with
// blocking ReadFile (one message each) into a 64 KiB buffer and times from the
// first message received to the last. A first, unmeasured round of about ms/4
// warms up and calibrates the count of the measured round, so that it takes
// roughly ms. The mailslot keeps unread messages in memory, which is fine at
// these sizes and counts. Prints one JSON object per size on stdout, and
// nothing else there; errors go to stderr with exit status 1.

#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_BUF 65536
#define OPEN_TIMEOUT_MS 10000
// Guessed rate for sizing the warm-up round, in messages per second.
#define WARM_GUESS 20000.0
#define WARM_MIN 100
#define MEASURE_MIN 1000

static LARGE_INTEGER freq;

static void die(const char *what) {
  fprintf(stderr, "mailslot_ref: %s failed (error %lu)\n", what, GetLastError());
  exit(1);
}

static double now_ms(void) {
  LARGE_INTEGER t;
  QueryPerformanceCounter(&t);
  return (double)t.QuadPart * 1000.0 / (double)freq.QuadPart;
}

// ---- child: send COUNT messages of SIZE bytes ----

static int send_main(const char *name, const char *size_text, const char *count_text) {
  DWORD size = (DWORD)strtoul(size_text, NULL, 10);
  DWORD count = (DWORD)strtoul(count_text, NULL, 10), i;
  DWORD start = GetTickCount();
  char *buf;
  HANDLE h;
  if (size > READ_BUF) {
    fprintf(stderr, "mailslot_ref: bad size %s\n", size_text);
    return 2;
  }
  buf = malloc(size ? size : 1);
  if (!buf) die("malloc");
  memset(buf, 'x', size);
  for (;;) {
    h = CreateFileA(name, GENERIC_WRITE, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                    FILE_ATTRIBUTE_NORMAL, NULL);
    if (h != INVALID_HANDLE_VALUE) break;
    if (GetLastError() != ERROR_FILE_NOT_FOUND || GetTickCount() - start >= OPEN_TIMEOUT_MS)
      die("CreateFileA (send)");
    Sleep(1);
  }
  for (i = 0; i < count; i++) {
    DWORD w = 0;
    if (!WriteFile(h, buf, size, &w, NULL)) die("WriteFile (send)");
    if (w != size) {
      fprintf(stderr, "mailslot_ref: short write (%lu of %lu bytes)\n", (unsigned long)w,
              (unsigned long)size);
      exit(1);
    }
  }
  CloseHandle(h);
  free(buf);
  return 0;
}

// ---- parent ----

// Starts a child sending count messages of size bytes to the mailslot name;
// returns its process handle.
static HANDLE start_sender(const char *name, DWORD size, DWORD count) {
  WCHAR exe[MAX_PATH], cmd[MAX_PATH + 128];
  STARTUPINFOW si;
  PROCESS_INFORMATION pi;
  DWORD len = GetModuleFileNameW(NULL, exe, MAX_PATH);
  if (len == 0 || len >= MAX_PATH) die("GetModuleFileNameW");
  _snwprintf(cmd, MAX_PATH + 128, L"\"%ls\" send %hs %lu %lu", exe, name,
             (unsigned long)size, (unsigned long)count);
  cmd[MAX_PATH + 127] = L'\0';
  memset(&si, 0, sizeof si);
  si.cb = sizeof si;
  if (!CreateProcessW(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
    die("CreateProcessW");
  CloseHandle(pi.hThread);
  return pi.hProcess;
}

static void wait_child(HANDLE proc) {
  DWORD code = 0;
  if (WaitForSingleObject(proc, 30000) != WAIT_OBJECT_0) die("WaitForSingleObject");
  if (!GetExitCodeProcess(proc, &code)) die("GetExitCodeProcess");
  if (code != 0) {
    fprintf(stderr, "mailslot_ref: the sender exited with status %lu\n", (unsigned long)code);
    exit(1);
  }
  CloseHandle(proc);
}

// One round: a child sends count messages of size bytes, the parent reads
// them all; returns the ms from the first message received to the last.
static double round_trip(HANDLE slot, const char *name, DWORD size, DWORD count, char *in) {
  HANDLE proc = start_sender(name, size, count);
  double t0 = 0, t1;
  DWORD i;
  for (i = 0; i < count; i++) {
    DWORD r = 0;
    if (!ReadFile(slot, in, READ_BUF, &r, NULL)) die("ReadFile");
    if (r != size) {
      fprintf(stderr, "mailslot_ref: got a message of %lu bytes, expected %lu\n",
              (unsigned long)r, (unsigned long)size);
      exit(1);
    }
    if (i == 0) t0 = now_ms();
  }
  t1 = now_ms();
  wait_child(proc);
  return t1 - t0;
}

static void bench_throughput(DWORD size, double ms, int n) {
  char name[96];
  char *in = malloc(READ_BUF);
  HANDLE slot;
  if (!in) die("malloc");
  snprintf(name, sizeof name, "\\\\.\\mailslot\\winipc-ref-%lu-%d",
           (unsigned long)GetCurrentProcessId(), n);
  slot = CreateMailslotA(name, 0, MAILSLOT_WAIT_FOREVER, NULL);
  if (slot == INVALID_HANDLE_VALUE) die("CreateMailslotA");
  // Unmeasured warm-up of about ms/4 at a guessed rate; it also calibrates
  // the measured count so that the measurement takes roughly ms. The first
  // message starts the clock, so count - 1 messages fall inside the timing.
  double warm_d = WARM_GUESS * ms / 4000.0;
  DWORD warm = warm_d < WARM_MIN ? WARM_MIN : (DWORD)warm_d;
  double wms = round_trip(slot, name, size, warm, in);
  double rate = (double)(warm - 1) / (wms > 0.001 ? wms : 0.001);  // messages per ms
  double count_d = rate * ms;
  DWORD count = count_d < MEASURE_MIN ? MEASURE_MIN
                : count_d > 1e8       ? 100000000u
                                      : (DWORD)count_d;
  double elapsed = round_trip(slot, name, size, count, in);
  CloseHandle(slot);
  printf("{\"bench\":\"mailslot.throughput\",\"impl\":\"native\",\"size\":%lu,\"msgs_per_s\":%.0f}\n",
         (unsigned long)size, (double)(count - 1) / ((elapsed > 0.001 ? elapsed : 0.001) / 1000.0));
  fflush(stdout);
  free(in);
}

int main(int argc, char **argv) {
  QueryPerformanceFrequency(&freq);
  if (argc == 5 && strcmp(argv[1], "send") == 0) return send_main(argv[2], argv[3], argv[4]);
  _setmode(_fileno(stdout), _O_BINARY);
  double ms = argc > 1 ? atof(argv[1]) : 1000.0;
  if (argc > 2 || ms <= 0) {
    fprintf(stderr, "usage: mailslot_ref.exe [ms]\n");
    return 2;
  }
  bench_throughput(64, ms, 0);
  bench_throughput(400, ms, 1);
  return 0;
}
