// Copyright 2026 the winipc authors. MIT license.
//
// named_pipe_ref.c: the native reference for `deno task bench`, named-pipe
// section. Measures round trips and throughput over a named pipe between two
// processes, from plain C, so the Deno numbers can be read against what the
// platform itself allows.
//
// Build (mingw-w64):
//   x86_64-w64-mingw32-gcc -O2 -Wall -o build/named_pipe_ref.exe bench/native/named_pipe_ref.c
// Run:   named_pipe_ref.exe [ms]   (ms per measurement, default 1000)
//
// The parent is the client; for each measurement it starts a copy of itself
// as the server with the arguments `serve NAME MODE KIND` (MODE: byte or
// message; KIND: echo, echo-poll or sink). Besides the blocking exchange
// ("impl":"native"), it measures the byte-mode 64 B round trip with
// overlapped handles and a polled completion port ("impl":"native_iocp_poll"),
// the strategy winipc uses. Prints one JSON object per benchmark on
// stdout, and nothing else there; errors go to stderr with exit status 1.

#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_SIZE 65536
#define SINK_BUF (1024 * 1024)

static LARGE_INTEGER freq;

static void die(const char *what) {
  fprintf(stderr, "named_pipe_ref: %s failed (error %lu)\n", what, GetLastError());
  exit(1);
}

static double now_ms(void) {
  LARGE_INTEGER t;
  QueryPerformanceCounter(&t);
  return (double)t.QuadPart * 1000.0 / (double)freq.QuadPart;
}

// Reads exactly n bytes (byte mode); returns 0 on end of stream.
static int read_full(HANDLE h, char *buf, DWORD n) {
  DWORD got = 0, r;
  while (got < n) {
    if (!ReadFile(h, buf + got, n - got, &r, NULL)) {
      if (GetLastError() == ERROR_BROKEN_PIPE) return 0;
      die("ReadFile");
    }
    got += r;
  }
  return 1;
}

static void write_full(HANDLE h, const char *buf, DWORD n) {
  DWORD w;
  if (!WriteFile(h, buf, n, &w, NULL) || w != n) die("WriteFile");
}

// ---- the same exchange through an I/O completion port, polled ----
//
// What winipc does on its JavaScript thread, in C: overlapped handles
// associated with a completion port (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS),
// and a pending operation completed by looking at the port with a zero
// timeout, yielding the CPU between looks. It shows what that strategy
// itself costs here, apart from JavaScript.

static HANDLE poll_port;

static void poll_associate(HANDLE h) {
  if (!poll_port) {
    poll_port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    if (!poll_port) die("CreateIoCompletionPort");
  }
  if (!CreateIoCompletionPort(h, poll_port, 1, 0)) die("CreateIoCompletionPort (associate)");
  if (!SetFileCompletionNotificationModes(h, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS |
                                                 FILE_SKIP_SET_EVENT_ON_HANDLE))
    die("SetFileCompletionNotificationModes");
}

// One overlapped ReadFile or WriteFile; returns bytes, or -1 at end of stream.
// Calls of GetQueuedCompletionStatusEx made by poll_io (this process's side).
static long long poll_count;

static long poll_io(HANDLE h, int write, char *buf, DWORD n) {
  OVERLAPPED ov;
  OVERLAPPED_ENTRY e[8];
  ULONG got;
  memset(&ov, 0, sizeof ov);
  BOOL ok = write ? WriteFile(h, buf, n, NULL, &ov) : ReadFile(h, buf, n, NULL, &ov);
  if (ok) return (long)ov.InternalHigh;
  DWORD err = GetLastError();
  if (err == ERROR_BROKEN_PIPE) return -1;
  if (err != ERROR_IO_PENDING) die(write ? "WriteFile (poll)" : "ReadFile (poll)");
  for (;;) {
    poll_count++;
    if (GetQueuedCompletionStatusEx(poll_port, e, 8, &got, 0, FALSE)) break;
    SwitchToThread();
  }
  if (e[0].lpOverlapped != &ov) die("GetQueuedCompletionStatusEx (unexpected packet)");
  if (ov.Internal != 0) return -1;  // the peer closed
  return (long)e[0].dwNumberOfBytesTransferred;
}

// ---- server (child) ----

static int serve(const char *name, const char *mode, const char *kind) {
  WCHAR wname[256];
  int message = strcmp(mode, "message") == 0;
  DWORD type = message ? (PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE)
                       : (PIPE_TYPE_BYTE | PIPE_READMODE_BYTE);
  if (!MultiByteToWideChar(CP_UTF8, 0, name, -1, wname, 256)) die("MultiByteToWideChar");
  int poll = strcmp(kind, "echo-poll") == 0;
  HANDLE h = CreateNamedPipeW(wname, PIPE_ACCESS_DUPLEX | (poll ? FILE_FLAG_OVERLAPPED : 0),
                              type | PIPE_WAIT, 1, BUF_SIZE, BUF_SIZE, 0, NULL);
  if (h == INVALID_HANDLE_VALUE) die("CreateNamedPipeW");
  if (poll) {
    // Connected by the client right after creation: wait for it with an
    // event (the handle is associated with the port only afterwards).
    OVERLAPPED ov;
    DWORD n;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!ConnectNamedPipe(h, &ov)) {
      DWORD err = GetLastError();
      if (err == ERROR_IO_PENDING) {
        if (!GetOverlappedResult(h, &ov, &n, TRUE)) die("ConnectNamedPipe (poll)");
      } else if (err != ERROR_PIPE_CONNECTED) {
        die("ConnectNamedPipe (poll)");
      }
    }
    CloseHandle(ov.hEvent);
    poll_associate(h);
    char *buf = malloc(BUF_SIZE);
    if (!buf) die("malloc");
    for (long r; (r = poll_io(h, 0, buf, BUF_SIZE)) >= 0;) {
      for (long w = 0; w < r;) {
        long k = poll_io(h, 1, buf + w, (DWORD)(r - w));
        if (k < 0) die("WriteFile (poll echo)");
        w += k;
      }
    }
    free(buf);
  } else if (!ConnectNamedPipe(h, NULL) && GetLastError() != ERROR_PIPE_CONNECTED) {
    die("ConnectNamedPipe");
  }
  if (poll) {
    // done above
  } else if (strcmp(kind, "echo") == 0) {
    char *buf = malloc(BUF_SIZE);
    DWORD r;
    if (!buf) die("malloc");
    for (;;) {
      if (!ReadFile(h, buf, BUF_SIZE, &r, NULL)) {
        if (GetLastError() == ERROR_BROKEN_PIPE) break;
        die("ReadFile (echo)");
      }
      if (r > 0) write_full(h, buf, r);
    }
    free(buf);
  } else {
    // Sink: repeatedly read an 8-byte total T, then T bytes, then reply 'k'.
    char *buf = malloc(SINK_BUF);
    unsigned long long total, got;
    DWORD r;
    if (!buf) die("malloc");
    while (read_full(h, (char *)&total, sizeof total)) {
      for (got = 0; got < total; got += r) {
        unsigned long long want = total - got;
        if (!ReadFile(h, buf, want < SINK_BUF ? (DWORD)want : SINK_BUF, &r, NULL))
          die("ReadFile (sink)");
      }
      write_full(h, "k", 1);
    }
    free(buf);
  }
  CloseHandle(h);
  return 0;
}

// ---- client (parent) ----

typedef struct {
  HANDLE pipe, proc;
} Conn;

static Conn start(const char *mode, const char *kind) {
  static int n = 0;
  WCHAR exe[MAX_PATH], cmd[MAX_PATH + 256], name[128];
  STARTUPINFOW si;
  PROCESS_INFORMATION pi;
  Conn c;
  DWORD len = GetModuleFileNameW(NULL, exe, MAX_PATH);
  if (len == 0 || len >= MAX_PATH) die("GetModuleFileNameW");
  _snwprintf(name, 128, L"\\\\.\\pipe\\winipc-ref-%lu-%d", GetCurrentProcessId(), n++);
  _snwprintf(cmd, MAX_PATH + 256, L"\"%ls\" serve %ls %hs %hs", exe, name, mode, kind);
  memset(&si, 0, sizeof si);
  si.cb = sizeof si;
  if (!CreateProcessW(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
    die("CreateProcessW");
  CloseHandle(pi.hThread);
  c.proc = pi.hProcess;
  double deadline = now_ms() + 30000.0;
  for (;;) {
    c.pipe = CreateFileW(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                         strcmp(kind, "echo-poll") == 0 ? FILE_FLAG_OVERLAPPED : 0, NULL);
    if (c.pipe != INVALID_HANDLE_VALUE) break;
    DWORD err = GetLastError();
    if (err == ERROR_FILE_NOT_FOUND) Sleep(1);
    else if (err == ERROR_PIPE_BUSY) WaitNamedPipeW(name, 1000);
    else die("CreateFileW");
    if (WaitForSingleObject(c.proc, 0) == WAIT_OBJECT_0 || now_ms() > deadline) {
      fprintf(stderr, "named_pipe_ref: server did not come up\n");
      exit(1);
    }
  }
  if (strcmp(mode, "message") == 0) {
    DWORD m = PIPE_READMODE_MESSAGE;
    if (!SetNamedPipeHandleState(c.pipe, &m, NULL, NULL)) die("SetNamedPipeHandleState");
  }
  return c;
}

static void finish(Conn c) {
  CloseHandle(c.pipe);
  if (WaitForSingleObject(c.proc, 30000) != WAIT_OBJECT_0) die("WaitForSingleObject");
  CloseHandle(c.proc);
}

// Round trips for ~ms milliseconds; returns the count and the elapsed ms.
static long long roundtrips(HANDLE h, int message, char *out, char *in, DWORD size,
                            double ms, double *elapsed) {
  long long count = 0;
  double t0 = now_ms(), t;
  do {
    write_full(h, out, size);
    if (message) {
      DWORD r;
      if (!ReadFile(h, in, size, &r, NULL) || r != size) die("ReadFile (message)");
    } else if (!read_full(h, in, size)) {
      die("ReadFile (eof)");
    }
    count++;
    t = now_ms();
  } while (t - t0 < ms);
  *elapsed = t - t0;
  return count;
}

static void bench_roundtrip(const char *mode, DWORD size, double ms) {
  int message = strcmp(mode, "message") == 0;
  char *out = malloc(size), *in = malloc(size);
  double elapsed;
  if (!out || !in) die("malloc");
  memset(out, 'x', size);
  Conn c = start(mode, "echo");
  roundtrips(c.pipe, message, out, in, size, ms / 10, &elapsed);
  long long n = roundtrips(c.pipe, message, out, in, size, ms, &elapsed);
  finish(c);
  printf("{\"bench\":\"named_pipe.roundtrip\",\"impl\":\"native\",\"mode\":\"%s\","
         "\"size\":%lu,\"ops_per_s\":%.0f}\n",
         mode, (unsigned long)size, (double)n * 1000.0 / elapsed);
  fflush(stdout);
  free(out);
  free(in);
}

// Round trips through the polled completion port (byte mode).
static void bench_roundtrip_poll(DWORD size, double ms) {
  char *out = malloc(size), *in = malloc(size);
  if (!out || !in) die("malloc");
  memset(out, 'x', size);
  Conn c = start("byte", "echo-poll");
  poll_associate(c.pipe);
  long long n = 0;
  double t0 = now_ms(), warm = t0 + ms / 10, start_ms = 0, t;
  for (;;) {
    for (long w = 0; w < (long)size;) w += poll_io(c.pipe, 1, out + w, size - (DWORD)w);
    for (long r = 0; r < (long)size;) {
      long k = poll_io(c.pipe, 0, in + r, size - (DWORD)r);
      if (k < 0) die("ReadFile (poll eof)");
      r += k;
    }
    t = now_ms();
    if (start_ms == 0) {
      if (t >= warm) {
        start_ms = t;
        poll_count = 0;
      }
    } else {
      n++;
      if (t - start_ms >= ms) break;
    }
  }
  finish(c);
  printf("{\"bench\":\"named_pipe.roundtrip\",\"impl\":\"native_iocp_poll\",\"mode\":\"byte\","
         "\"size\":%lu,\"ops_per_s\":%.0f,\"polls_per_op\":%.2f}\n",
         (unsigned long)size, (double)n * 1000.0 / (t - start_ms), (double)poll_count / (double)n);
  fflush(stdout);
  free(out);
  free(in);
}

// Sends total bytes (announced up front) in writes of size; returns elapsed ms.
static double send_total(HANDLE h, const char *buf, DWORD size, unsigned long long total) {
  unsigned long long sent;
  char k;
  double t0 = now_ms();
  write_full(h, (const char *)&total, sizeof total);
  for (sent = 0; sent < total; sent += size) write_full(h, buf, size);
  if (!read_full(h, &k, 1) || k != 'k') die("ReadFile (ack)");
  return now_ms() - t0;
}

static unsigned long long round_total(double bytes, DWORD size) {
  unsigned long long chunks = (unsigned long long)(bytes / size);
  if (chunks < 16) chunks = 16;
  return chunks * size;
}

static void bench_throughput(DWORD size, double ms) {
  char *buf = malloc(size);
  if (!buf) die("malloc");
  memset(buf, 'x', size);
  Conn c = start("byte", "sink");
  // Unmeasured warm-up of about ms/4 at ~800 MB/s; it also calibrates the
  // measured total so that the measurement takes roughly ms.
  unsigned long long warm = round_total(0.2e6 * ms, size);
  double wms = send_total(c.pipe, buf, size, warm);
  double rate = (double)warm / (wms > 0.001 ? wms : 0.001);  // bytes per ms
  unsigned long long total = round_total(rate * ms, size);
  double elapsed = send_total(c.pipe, buf, size, total);
  finish(c);
  printf("{\"bench\":\"named_pipe.throughput\",\"impl\":\"native\",\"mode\":\"byte\","
         "\"size\":%lu,\"mb_per_s\":%.1f}\n",
         (unsigned long)size, (double)total / (elapsed / 1000.0) / 1e6);
  fflush(stdout);
  free(buf);
}

int main(int argc, char **argv) {
  QueryPerformanceFrequency(&freq);
  if (argc == 5 && strcmp(argv[1], "serve") == 0) return serve(argv[2], argv[3], argv[4]);
  _setmode(_fileno(stdout), _O_BINARY);
  double ms = argc > 1 ? atof(argv[1]) : 1000.0;
  if (ms <= 0) {
    fprintf(stderr, "usage: named_pipe_ref.exe [ms]\n");
    return 2;
  }
  static const char *modes[] = {"byte", "message"};
  static const DWORD sizes[] = {64, 1024};
  for (int m = 0; m < 2; m++)
    for (int s = 0; s < 2; s++) bench_roundtrip(modes[m], sizes[s], ms);
  bench_roundtrip_poll(64, ms);
  bench_throughput(65536, ms);
  bench_throughput(1048576, ms);
  return 0;
}
