// Copyright 2026 the winipc authors. MIT license.
//
// shared_memory_ref.c: the native reference for `deno task bench`, shared
// memory section. Measures, from plain C, how fast bytes can be copied into
// a mapped view and how many event ping-pongs with a copy through shared
// memory each way two processes can do per second, so the Deno numbers can
// be read against what the platform itself allows.
//
// Build (mingw-w64):
//   x86_64-w64-mingw32-gcc -O2 -Wall -o build/shared_memory_ref.exe bench/native/shared_memory_ref.c
// Run:   shared_memory_ref.exe [ms]   (ms per measurement, default 1000)
//
// Copy bandwidth: a 1 MiB malloc'd buffer is memcpy'd over and over, for
// about ms/2, into a 1 MiB view of an unnamed page-file backed mapping
// (shared_memory.copy), then into a second malloc'd buffer
// (shared_memory.copy_local). One unmeasured copy first commits the pages.
// Each copy changes a byte of the source and reads one of the destination
// into a volatile, so that none can be optimized away. 1 GB is 1e9 bytes.
//
// Ping-pong: for each SIZE (64, then 4096) the parent creates a 64 KiB
// page-file backed mapping Local\winipc-ref-PID-N and two auto-reset events
// Local\winipc-ref-PID-N-a and Local\winipc-ref-PID-N-b, and starts a copy of
// itself with the arguments `pong NAME SIZE`, which opens them. One round
// trip: the parent copies SIZE bytes into the mapping at offset 0 and sets
// event a; the child wakes on a, copies the SIZE bytes at offset 0 into a
// buffer of its own and from there back into the mapping at offset 8192,
// and sets event b; the parent wakes on b and copies the SIZE bytes at
// offset 8192 out into a buffer of its own (and checks their first byte).
// Round trips run unmeasured for about ms/10, then are counted for about ms.
// To stop the child the parent sets the byte at offset 65535 to 1 and sets
// event a a last time; the child exits when it sees the flag on waking.
//
// Prints one JSON object per measurement on stdout, and nothing else there;
// errors go to stderr with exit status 1, usage errors exit 2.

#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAP_SIZE 65536
#define REPLY_OFFSET 8192
#define STOP_OFFSET 65535
#define MAX_MSG 4096
#define COPY_SIZE (1024 * 1024)
#define CHILD_EXIT_TIMEOUT_MS 30000

static LARGE_INTEGER freq;
static volatile unsigned sink;

static void die(const char *what) {
  fprintf(stderr, "shared_memory_ref: %s failed (error %lu)\n", what, GetLastError());
  exit(1);
}

static double now_ms(void) {
  LARGE_INTEGER t;
  QueryPerformanceCounter(&t);
  return (double)t.QuadPart * 1000.0 / (double)freq.QuadPart;
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (p == NULL) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    die("malloc");
  }
  return p;
}

// ---- copy bandwidth ----

// Copies src into dst (COPY_SIZE bytes each) again and again for about ms;
// returns GB per second.
static double copy_rate(unsigned char *dst, unsigned char *src, double ms) {
  double t0, t1;
  unsigned long long n = 0;
  unsigned acc = 0;
  // Unmeasured: commits the destination pages.
  memcpy(dst, src, COPY_SIZE);
  t0 = now_ms();
  do {
    src[n % COPY_SIZE] = (unsigned char)n;
    memcpy(dst, src, COPY_SIZE);
    acc += dst[(n * 4099) % COPY_SIZE];
    n++;
    t1 = now_ms();
  } while (t1 - t0 < ms);
  sink += acc;
  return (double)n * COPY_SIZE / ((t1 - t0) / 1000.0) / 1e9;
}

static void bench_copy(double ms) {
  unsigned char *src = (unsigned char *)xmalloc(COPY_SIZE);
  unsigned char *local = (unsigned char *)xmalloc(COPY_SIZE);
  unsigned char *view;
  HANDLE map;
  double rate;
  size_t i;
  for (i = 0; i < COPY_SIZE; i++) src[i] = (unsigned char)(i * 31);

  map = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, COPY_SIZE, NULL);
  if (map == NULL) die("CreateFileMappingW (copy)");
  view = (unsigned char *)MapViewOfFile(map, FILE_MAP_ALL_ACCESS, 0, 0, COPY_SIZE);
  if (view == NULL) die("MapViewOfFile (copy)");
  rate = copy_rate(view, src, ms);
  printf("{\"bench\":\"shared_memory.copy\",\"impl\":\"native\",\"size\":%d,\"gb_per_s\":%.2f}\n",
         COPY_SIZE, rate);
  fflush(stdout);
  UnmapViewOfFile(view);
  CloseHandle(map);

  rate = copy_rate(local, src, ms);
  printf("{\"bench\":\"shared_memory.copy_local\",\"impl\":\"native\",\"size\":%d,"
         "\"gb_per_s\":%.2f}\n",
         COPY_SIZE, rate);
  fflush(stdout);
  free(local);
  free(src);
}

// ---- child: answer round trips until told to stop ----

static int pong_main(const char *name, const char *size_text) {
  char ename[128];
  DWORD size = (DWORD)strtoul(size_text, NULL, 10);
  unsigned char buf[MAX_MSG];
  unsigned char *view;
  HANDLE map, a, b;
  if (size == 0 || size > MAX_MSG || strlen(name) > 100) {
    fprintf(stderr, "shared_memory_ref: bad pong arguments\n");
    return 2;
  }
  map = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name);
  if (map == NULL) die("OpenFileMappingA (pong)");
  view = (unsigned char *)MapViewOfFile(map, FILE_MAP_ALL_ACCESS, 0, 0, MAP_SIZE);
  if (view == NULL) die("MapViewOfFile (pong)");
  snprintf(ename, sizeof ename, "%s-a", name);
  a = OpenEventA(SYNCHRONIZE | EVENT_MODIFY_STATE, FALSE, ename);
  if (a == NULL) die("OpenEventA (a)");
  snprintf(ename, sizeof ename, "%s-b", name);
  b = OpenEventA(SYNCHRONIZE | EVENT_MODIFY_STATE, FALSE, ename);
  if (b == NULL) die("OpenEventA (b)");
  for (;;) {
    if (WaitForSingleObject(a, INFINITE) != WAIT_OBJECT_0) die("WaitForSingleObject (pong)");
    if (((volatile unsigned char *)view)[STOP_OFFSET] != 0) break;
    memcpy(buf, view, size);
    memcpy(view + REPLY_OFFSET, buf, size);
    if (!SetEvent(b)) die("SetEvent (b)");
  }
  CloseHandle(a);
  CloseHandle(b);
  UnmapViewOfFile(view);
  CloseHandle(map);
  return 0;
}

// ---- parent ----

// Starts a child answering round trips of size bytes on the objects name;
// returns its process handle.
static HANDLE start_pong(const char *name, DWORD size) {
  WCHAR exe[MAX_PATH], cmd[MAX_PATH + 128];
  STARTUPINFOW si;
  PROCESS_INFORMATION pi;
  DWORD len = GetModuleFileNameW(NULL, exe, MAX_PATH);
  if (len == 0 || len >= MAX_PATH) die("GetModuleFileNameW");
  _snwprintf(cmd, MAX_PATH + 128, L"\"%ls\" pong %hs %lu", exe, name, (unsigned long)size);
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
  if (WaitForSingleObject(proc, CHILD_EXIT_TIMEOUT_MS) != WAIT_OBJECT_0)
    die("WaitForSingleObject (child exit)");
  if (!GetExitCodeProcess(proc, &code)) die("GetExitCodeProcess");
  if (code != 0) {
    fprintf(stderr, "shared_memory_ref: the child exited with status %lu\n",
            (unsigned long)code);
    exit(1);
  }
  CloseHandle(proc);
}

// One round trip of size bytes; tag goes in the first byte and must come back.
static void round_trip(unsigned char *view, HANDLE a, HANDLE b, DWORD size, unsigned char *out,
                       unsigned char *in, unsigned char tag) {
  out[0] = tag;
  memcpy(view, out, size);
  if (!SetEvent(a)) die("SetEvent (a)");
  if (WaitForSingleObject(b, INFINITE) != WAIT_OBJECT_0) die("WaitForSingleObject (b)");
  memcpy(in, view + REPLY_OFFSET, size);
  if (in[0] != tag) {
    fprintf(stderr, "shared_memory_ref: got back byte %u, expected %u\n", (unsigned)in[0],
            (unsigned)tag);
    exit(1);
  }
}

static void bench_pingpong(DWORD size, double ms, int n) {
  char name[96], ename[112];
  unsigned char out[MAX_MSG], in[MAX_MSG];
  unsigned char *view;
  HANDLE map, a, b, proc;
  unsigned long long count = 0;
  double t0, t1;
  DWORD i;
  for (i = 0; i < size; i++) out[i] = (unsigned char)(i * 7);
  snprintf(name, sizeof name, "Local\\winipc-ref-%lu-%d", (unsigned long)GetCurrentProcessId(),
           n);
  map = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, MAP_SIZE, name);
  if (map == NULL) die("CreateFileMappingA");
  view = (unsigned char *)MapViewOfFile(map, FILE_MAP_ALL_ACCESS, 0, 0, MAP_SIZE);
  if (view == NULL) die("MapViewOfFile");
  snprintf(ename, sizeof ename, "%s-a", name);
  a = CreateEventA(NULL, FALSE, FALSE, ename);
  if (a == NULL) die("CreateEventA (a)");
  snprintf(ename, sizeof ename, "%s-b", name);
  b = CreateEventA(NULL, FALSE, FALSE, ename);
  if (b == NULL) die("CreateEventA (b)");
  proc = start_pong(name, size);

  // Unmeasured warm-up of about ms/10.
  t0 = now_ms();
  do {
    round_trip(view, a, b, size, out, in, (unsigned char)count++);
  } while (now_ms() - t0 < ms / 10);

  count = 0;
  t0 = now_ms();
  do {
    round_trip(view, a, b, size, out, in, (unsigned char)count++);
    t1 = now_ms();
  } while (t1 - t0 < ms);
  sink += in[size - 1];

  ((volatile unsigned char *)view)[STOP_OFFSET] = 1;
  if (!SetEvent(a)) die("SetEvent (a, stop)");
  wait_child(proc);
  CloseHandle(a);
  CloseHandle(b);
  UnmapViewOfFile(view);
  CloseHandle(map);
  printf("{\"bench\":\"shared_memory.pingpong\",\"impl\":\"native\",\"size\":%lu,"
         "\"ops_per_s\":%.0f}\n",
         (unsigned long)size, (double)count / ((t1 - t0) / 1000.0));
  fflush(stdout);
}

int main(int argc, char **argv) {
  QueryPerformanceFrequency(&freq);
  if (argc == 4 && strcmp(argv[1], "pong") == 0) return pong_main(argv[2], argv[3]);
  _setmode(_fileno(stdout), _O_BINARY);
  double ms = argc > 1 ? atof(argv[1]) : 1000.0;
  if (argc > 2 || ms <= 0) {
    fprintf(stderr, "usage: shared_memory_ref.exe [ms]\n");
    return 2;
  }
  bench_copy(ms / 2);
  bench_pingpong(64, ms, 0);
  bench_pingpong(4096, ms, 1);
  return 0;
}
