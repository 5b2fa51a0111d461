// Copyright 2026 the winipc authors. MIT license.
//
// core_ref.c: the native reference for `deno task bench`, core section.
// Measures the same operations as the core benchmarks, from plain C, so the
// Deno numbers can be read against what the platform itself allows.
//
// Build (mingw-w64):  x86_64-w64-mingw32-gcc -O2 -o core_ref.exe core_ref.c
// Run:                core_ref.exe [ms]   (ms per measurement, default 1000)
//
// Prints one JSON object per benchmark on stdout, and nothing else there;
// errors go to stderr with exit status 1.

#define _WIN32_WINNT 0x0601
#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIZE 64

static LARGE_INTEGER freq;
static HANDLE port, end_a, end_b, ev_e, ev_d;
static volatile DWORD sink;

static void die(const char *what) {
  fprintf(stderr, "core_ref: %s failed (error %lu)\n", what, GetLastError());
  exit(1);
}

static double now_ms(void) {
  LARGE_INTEGER t;
  QueryPerformanceCounter(&t);
  return (double)t.QuadPart * 1000.0 / (double)freq.QuadPart;
}

// Runs op(batch) repeatedly: a warm-up, then about ms milliseconds measured.
// Returns operations per second.
static double measure(void (*op)(long), long batch, double ms) {
  double warm = ms / 10 < 200 ? ms / 10 : 200;
  double t0 = now_ms();
  do op(batch); while (now_ms() - t0 < warm);
  long long ops = 0;
  double t1 = now_ms(), t;
  do {
    op(batch);
    ops += batch;
  } while ((t = now_ms()) - t1 < ms);
  return (double)ops * 1000.0 / (t - t1);
}

// 1. core.ffi_call
static DWORD (WINAPI *volatile pid_fn)(void) = GetCurrentProcessId;

static void op_ffi(long n) {
  DWORD acc = 0;
  for (long i = 0; i < n; i++) acc += pid_fn();
  sink = acc;
}

// 2, 3. core.io_roundtrip_*: one overlapped pipe pair, one completion port.
typedef struct { OVERLAPPED ov; int pending; } Req;
static Req rd, wr;
static char wbuf[SIZE], rbuf[SIZE];

// Waits on the port until neither request is pending any more. The status is
// read from the OVERLAPPED (its low 32 bits): OVERLAPPED_ENTRY.Internal is
// reserved, and Wine leaves garbage in its upper half.
static void collect(void) {
  OVERLAPPED_ENTRY e[16];
  ULONG n;
  while (rd.pending || wr.pending) {
    if (!GetQueuedCompletionStatusEx(port, e, 16, &n, INFINITE, FALSE))
      die("GetQueuedCompletionStatusEx");
    for (ULONG i = 0; i < n; i++) {
      Req *r = (Req *)e[i].lpOverlapped;
      if ((r != &rd && r != &wr) || !r->pending || (DWORD)r->ov.Internal != 0 ||
          e[i].dwNumberOfBytesTransferred != SIZE) {
        fprintf(stderr, "core_ref: unexpected completion %p (read %p/%d, write"
                " %p/%d), %lu bytes\n", (void *)r, (void *)&rd, rd.pending,
                (void *)&wr, wr.pending, e[i].dwNumberOfBytesTransferred);
        exit(1);
      }
      r->pending = 0;
    }
  }
}

// Starts an overlapped transfer; 1 if it went pending, 0 if it completed.
static int start(Req *r, int is_read) {
  DWORD got = 0;
  BOOL ok;
  memset(&r->ov, 0, sizeof r->ov);
  if (is_read) ok = ReadFile(end_b, rbuf, SIZE, &got, &r->ov);
  else ok = WriteFile(end_a, wbuf, SIZE, &got, &r->ov);
  if (ok) {
    if (got != SIZE) die(is_read ? "ReadFile (short)" : "WriteFile (short)");
    return r->pending = 0;
  }
  if (GetLastError() != ERROR_IO_PENDING) die(is_read ? "ReadFile" : "WriteFile");
  return r->pending = 1;
}

static void op_io_sync(long n) {
  for (long i = 0; i < n; i++) {
    start(&wr, 0);
    start(&rd, 1);
    collect();
  }
}

static void op_io_pending(long n) {
  for (long i = 0; i < n; i++) {
    if (!start(&rd, 1)) {
      fprintf(stderr, "core_ref: read on an empty pipe did not go pending\n");
      exit(1);
    }
    start(&wr, 0);
    collect();
  }
}

static void open_pair(void) {
  static int counter;
  WCHAR name[96];
  _snwprintf(name, 96, L"\\\\.\\pipe\\winipc-ref-%lu-%d",
             GetCurrentProcessId(), counter++);
  end_a = CreateNamedPipeW(name,
      PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
      PIPE_TYPE_BYTE | PIPE_REJECT_REMOTE_CLIENTS, 1, 65536, 65536, 0, NULL);
  if (end_a == INVALID_HANDLE_VALUE) die("CreateNamedPipeW");
  end_b = CreateFileW(name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                      OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
  if (end_b == INVALID_HANDLE_VALUE) die("CreateFileW");
  HANDLE ends[2] = {end_a, end_b};
  for (int i = 0; i < 2; i++) {
    if (!CreateIoCompletionPort(ends[i], port, 0, 0)) die("CreateIoCompletionPort");
    if (!SetFileCompletionNotificationModes(ends[i],
            FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE))
      die("SetFileCompletionNotificationModes");
  }
}

static void close_pair(void) {
  CloseHandle(end_b);
  CloseHandle(end_a);
}

// 4. core.wait_signalled: a pool wait that wakes the main thread.
static VOID CALLBACK on_signalled(PVOID ctx, BOOLEAN timed_out) {
  (void)timed_out;
  SetEvent((HANDLE)ctx);
}

static void op_wait(long n) {
  for (long i = 0; i < n; i++) {
    HANDLE w;
    if (!RegisterWaitForSingleObject(&w, ev_e, on_signalled, ev_d, INFINITE,
                                     WT_EXECUTEONLYONCE))
      die("RegisterWaitForSingleObject");
    if (!SetEvent(ev_e)) die("SetEvent");
    if (WaitForSingleObject(ev_d, INFINITE) != WAIT_OBJECT_0)
      die("WaitForSingleObject");
    if (!UnregisterWaitEx(w, INVALID_HANDLE_VALUE)) die("UnregisterWaitEx");
  }
}

int main(int argc, char **argv) {
  double ms = argc > 1 ? atof(argv[1]) : 1000;
  if (!(ms > 0)) ms = 1000;
  QueryPerformanceFrequency(&freq);
  _setmode(_fileno(stdout), _O_BINARY);  // "\n", not "\r\n"
  memset(wbuf, 'x', SIZE);

  printf("{\"bench\":\"core.ffi_call\",\"impl\":\"native\",\"ops_per_s\":%.0f}\n",
         measure(op_ffi, 4096, ms));
  fflush(stdout);

  port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
  if (!port) die("CreateIoCompletionPort");
  open_pair();
  printf("{\"bench\":\"core.io_roundtrip_sync\",\"impl\":\"native\",\"size\":%d,"
         "\"ops_per_s\":%.0f}\n", SIZE, measure(op_io_sync, 16, ms));
  fflush(stdout);
  close_pair();
  open_pair();
  printf("{\"bench\":\"core.io_roundtrip_pending\",\"impl\":\"native\",\"size\":%d,"
         "\"ops_per_s\":%.0f}\n", SIZE, measure(op_io_pending, 16, ms));
  fflush(stdout);
  close_pair();
  CloseHandle(port);

  ev_e = CreateEventW(NULL, FALSE, FALSE, NULL);
  ev_d = CreateEventW(NULL, FALSE, FALSE, NULL);
  if (!ev_e || !ev_d) die("CreateEventW");
  printf("{\"bench\":\"core.wait_signalled\",\"impl\":\"native\",\"ops_per_s\":%.0f}\n",
         measure(op_wait, 16, ms));
  fflush(stdout);
  CloseHandle(ev_e);
  CloseHandle(ev_d);
  return 0;
}
