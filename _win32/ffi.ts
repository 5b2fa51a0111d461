// Copyright 2026 the winipc authors. MIT license.
/**
 * Symbol tables for kernel32, advapi32, ntdll, user32 and gdi32, opened
 * lazily, declared once: the threads that winipc starts (`window_thread.ts`,
 * `wait_all.ts`, `owner_thread.ts`) use these same tables in their own
 * isolates.
 *
 * Nothing here opens a DLL at import time: the tables are plain objects, and
 * each library is opened on the first call of its accessor. Importing the
 * package, `deno doc`, type checks and the OS-independent tests therefore work
 * on Linux and macOS, where the accessors throw `Deno.errors.NotSupported`.
 *
 * Win32 names and their long parameter lists appear only here and in thin
 * private wrappers. Only W (UTF-16) APIs are declared.
 *
 * Type conventions: `HANDLE`, `HWND` and every pointer are `"pointer"`;
 * input buffers that native code reads or writes during the call are
 * `"buffer"`; `BOOL` is `i32`, `DWORD` is `u32`. Symbols whose key ends in
 * `Nb` are `nonblocking` twins: they run on Deno's blocking-thread pool and
 * must only be used where a shared completion mechanism needs one waiting
 * thread (see `completion.ts`).
 *
 * @module
 */
import { encodeUtf16z } from "./utf16.ts";

/** kernel32.dll: handles, events, waits, overlapped I/O, pipes, processes. */
export const KERNEL32 = {
  // DWORD GetLastError(void)
  GetLastError: { parameters: [], result: "u32" },
  // void SetLastError(DWORD dwErrCode)
  SetLastError: { parameters: ["u32"], result: "void" },
  // DWORD FormatMessageW(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId,
  //   DWORD dwLanguageId, LPWSTR lpBuffer, DWORD nSize, va_list *Arguments)
  FormatMessageW: {
    parameters: ["u32", "pointer", "u32", "u32", "buffer", "u32", "pointer"],
    result: "u32",
  },
  // BOOL CloseHandle(HANDLE hObject)
  CloseHandle: { parameters: ["pointer"], result: "i32" },
  // BOOL GetHandleInformation(HANDLE hObject, LPDWORD lpdwFlags)
  GetHandleInformation: { parameters: ["pointer", "buffer"], result: "i32" },
  // BOOL SetHandleInformation(HANDLE hObject, DWORD dwMask, DWORD dwFlags)
  SetHandleInformation: { parameters: ["pointer", "u32", "u32"], result: "i32" },
  // BOOL DuplicateHandle(HANDLE hSourceProcessHandle, HANDLE hSourceHandle,
  //   HANDLE hTargetProcessHandle, LPHANDLE lpTargetHandle, DWORD dwDesiredAccess,
  //   BOOL bInheritHandle, DWORD dwOptions)
  DuplicateHandle: {
    parameters: ["pointer", "pointer", "pointer", "buffer", "u32", "i32", "u32"],
    result: "i32",
  },

  // HANDLE CreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
  //   BOOL bInitialState, LPCWSTR lpName)
  CreateEventW: { parameters: ["pointer", "i32", "i32", "buffer"], result: "pointer" },
  // HANDLE OpenEventW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName)
  OpenEventW: { parameters: ["u32", "i32", "buffer"], result: "pointer" },
  // BOOL SetEvent(HANDLE hEvent)
  SetEvent: { parameters: ["pointer"], result: "i32" },
  // BOOL ResetEvent(HANDLE hEvent)
  ResetEvent: { parameters: ["pointer"], result: "i32" },

  // DWORD WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds)
  WaitForSingleObject: { parameters: ["pointer", "u32"], result: "u32" },
  // DWORD WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
  //   DWORD dwMilliseconds)
  WaitForMultipleObjects: { parameters: ["u32", "buffer", "i32", "u32"], result: "u32" },
  // The same, on the blocking pool (one thread for the whole call).
  WaitForMultipleObjectsNb: {
    name: "WaitForMultipleObjects",
    parameters: ["u32", "buffer", "i32", "u32"],
    result: "u32",
    nonblocking: true,
  },
  // BOOL CreateTimerQueueTimer(PHANDLE phNewTimer, HANDLE TimerQueue,
  //   WAITORTIMERCALLBACK Callback, PVOID Parameter, DWORD DueTime, DWORD Period, ULONG Flags)
  CreateTimerQueueTimer: {
    parameters: ["buffer", "pointer", "function", "pointer", "u32", "u32", "u32"],
    result: "i32",
  },
  // BOOL DeleteTimerQueueTimer(HANDLE TimerQueue, HANDLE Timer, HANDLE CompletionEvent)
  DeleteTimerQueueTimer: { parameters: ["pointer", "pointer", "pointer"], result: "i32" },

  // HANDLE CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort,
  //   ULONG_PTR CompletionKey, DWORD NumberOfConcurrentThreads)
  CreateIoCompletionPort: {
    parameters: ["pointer", "pointer", "usize", "u32"],
    result: "pointer",
  },
  // BOOL GetQueuedCompletionStatusEx(HANDLE CompletionPort,
  //   LPOVERLAPPED_ENTRY lpCompletionPortEntries, ULONG ulCount,
  //   PULONG ulNumEntriesRemoved, DWORD dwMilliseconds, BOOL fAlertable)
  GetQueuedCompletionStatusEx: {
    parameters: ["pointer", "buffer", "u32", "buffer", "u32", "i32"],
    result: "i32",
  },
  // The same, on the blocking pool: the completion core's one waiting thread.
  // BOOL SwitchToThread(void): yields the CPU to a ready thread, if any.
  SwitchToThread: { parameters: [], result: "i32" },
  GetQueuedCompletionStatusExNb: {
    name: "GetQueuedCompletionStatusEx",
    parameters: ["pointer", "buffer", "u32", "buffer", "u32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  // BOOL SetFileCompletionNotificationModes(HANDLE FileHandle, UCHAR Flags)
  SetFileCompletionNotificationModes: { parameters: ["pointer", "u8"], result: "i32" },
  // BOOL CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped)
  CancelIoEx: { parameters: ["pointer", "pointer"], result: "i32" },
  // BOOL ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead,
  //   LPDWORD lpNumberOfBytesRead, LPOVERLAPPED lpOverlapped)
  ReadFile: { parameters: ["pointer", "pointer", "u32", "pointer", "pointer"], result: "i32" },
  // BOOL WriteFile(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite,
  //   LPDWORD lpNumberOfBytesWritten, LPOVERLAPPED lpOverlapped)
  WriteFile: { parameters: ["pointer", "pointer", "u32", "pointer", "pointer"], result: "i32" },

  // HANDLE CreateNamedPipeW(LPCWSTR lpName, DWORD dwOpenMode, DWORD dwPipeMode,
  //   DWORD nMaxInstances, DWORD nOutBufferSize, DWORD nInBufferSize,
  //   DWORD nDefaultTimeOut, LPSECURITY_ATTRIBUTES lpSecurityAttributes)
  CreateNamedPipeW: {
    parameters: ["buffer", "u32", "u32", "u32", "u32", "u32", "u32", "pointer"],
    result: "pointer",
  },
  // BOOL ConnectNamedPipe(HANDLE hNamedPipe, LPOVERLAPPED lpOverlapped)
  ConnectNamedPipe: { parameters: ["pointer", "pointer"], result: "i32" },
  // BOOL WaitNamedPipeW(LPCWSTR lpNamedPipeName, DWORD nTimeOut)
  WaitNamedPipeWNb: {
    name: "WaitNamedPipeW",
    parameters: ["buffer", "u32"],
    result: "i32",
    nonblocking: true,
  },
  // BOOL SetNamedPipeHandleState(HANDLE hNamedPipe, LPDWORD lpMode,
  //   LPDWORD lpMaxCollectionCount, LPDWORD lpCollectDataTimeout)
  SetNamedPipeHandleState: {
    parameters: ["pointer", "buffer", "pointer", "pointer"],
    result: "i32",
  },
  // BOOL GetNamedPipeInfo(HANDLE hNamedPipe, LPDWORD lpFlags, LPDWORD lpOutBufferSize,
  //   LPDWORD lpInBufferSize, LPDWORD lpMaxInstances)
  GetNamedPipeInfo: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  // BOOL PeekNamedPipe(HANDLE hNamedPipe, LPVOID lpBuffer, DWORD nBufferSize,
  //   LPDWORD lpBytesRead, LPDWORD lpTotalBytesAvail, LPDWORD lpBytesLeftThisMessage)
  PeekNamedPipe: {
    parameters: ["pointer", "pointer", "u32", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  // BOOL TransactNamedPipe(HANDLE hNamedPipe, LPVOID lpInBuffer, DWORD nInBufferSize,
  //   LPVOID lpOutBuffer, DWORD nOutBufferSize, LPDWORD lpBytesRead, LPOVERLAPPED lpOverlapped)
  TransactNamedPipe: {
    parameters: ["pointer", "pointer", "u32", "pointer", "u32", "pointer", "pointer"],
    result: "i32",
  },
  // BOOL GetNamedPipeClientProcessId(HANDLE Pipe, PULONG ClientProcessId)
  GetNamedPipeClientProcessId: { parameters: ["pointer", "buffer"], result: "i32" },
  // BOOL GetNamedPipeClientSessionId(HANDLE Pipe, PULONG ClientSessionId)
  GetNamedPipeClientSessionId: { parameters: ["pointer", "buffer"], result: "i32" },
  // BOOL GetNamedPipeServerProcessId(HANDLE Pipe, PULONG ServerProcessId)
  GetNamedPipeServerProcessId: { parameters: ["pointer", "buffer"], result: "i32" },
  // BOOL GetNamedPipeServerSessionId(HANDLE Pipe, PULONG ServerSessionId)
  GetNamedPipeServerSessionId: { parameters: ["pointer", "buffer"], result: "i32" },
  // BOOL DisconnectNamedPipe(HANDLE hNamedPipe)
  DisconnectNamedPipe: { parameters: ["pointer"], result: "i32" },
  // HANDLE CreateFileW(LPCWSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
  //   LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition,
  //   DWORD dwFlagsAndAttributes, HANDLE hTemplateFile)
  CreateFileW: {
    parameters: ["buffer", "u32", "u32", "pointer", "u32", "u32", "pointer"],
    result: "pointer",
  },

  // The same two on Deno's blocking pool, for synchronous handles (an
  // inherited pipe end opened without FILE_FLAG_OVERLAPPED): one pool thread
  // per pending call, the only way such a handle can be read without
  // blocking the event loop.
  ReadFileNb: {
    name: "ReadFile",
    parameters: ["pointer", "buffer", "u32", "buffer", "pointer"],
    result: "i32",
    nonblocking: true,
  },
  WriteFileNb: {
    name: "WriteFile",
    parameters: ["pointer", "buffer", "u32", "buffer", "pointer"],
    result: "i32",
    nonblocking: true,
  },
  // DWORD GetFileType(HANDLE hFile)
  GetFileType: { parameters: ["pointer"], result: "u32" },
  // HANDLE GetStdHandle(DWORD nStdHandle)
  GetStdHandle: { parameters: ["u32"], result: "pointer" },
  // BOOL CreatePipe(PHANDLE hReadPipe, PHANDLE hWritePipe,
  //   LPSECURITY_ATTRIBUTES lpPipeAttributes, DWORD nSize)
  CreatePipe: { parameters: ["buffer", "buffer", "pointer", "u32"], result: "i32" },
  // BOOL CreateProcessW(LPCWSTR lpApplicationName, LPWSTR lpCommandLine,
  //   LPSECURITY_ATTRIBUTES lpProcessAttributes, LPSECURITY_ATTRIBUTES lpThreadAttributes,
  //   BOOL bInheritHandles, DWORD dwCreationFlags, LPVOID lpEnvironment,
  //   LPCWSTR lpCurrentDirectory, LPSTARTUPINFOW lpStartupInfo,
  //   LPPROCESS_INFORMATION lpProcessInformation)
  CreateProcessW: {
    parameters: [
      "pointer",
      "buffer",
      "pointer",
      "pointer",
      "i32",
      "u32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  // BOOL InitializeProcThreadAttributeList(LPPROC_THREAD_ATTRIBUTE_LIST lpAttributeList,
  //   DWORD dwAttributeCount, DWORD dwFlags, PSIZE_T lpSize)
  InitializeProcThreadAttributeList: {
    parameters: ["buffer", "u32", "u32", "buffer"],
    result: "i32",
  },
  // BOOL UpdateProcThreadAttribute(LPPROC_THREAD_ATTRIBUTE_LIST lpAttributeList,
  //   DWORD dwFlags, DWORD_PTR Attribute, PVOID lpValue, SIZE_T cbSize,
  //   PVOID lpPreviousValue, PSIZE_T lpReturnSize)
  UpdateProcThreadAttribute: {
    parameters: ["buffer", "u32", "usize", "buffer", "usize", "pointer", "pointer"],
    result: "i32",
  },
  // void DeleteProcThreadAttributeList(LPPROC_THREAD_ATTRIBUTE_LIST lpAttributeList)
  DeleteProcThreadAttributeList: { parameters: ["buffer"], result: "void" },
  // BOOL GetExitCodeProcess(HANDLE hProcess, LPDWORD lpExitCode)
  GetExitCodeProcess: { parameters: ["pointer", "buffer"], result: "i32" },
  // BOOL TerminateProcess(HANDLE hProcess, UINT uExitCode)
  TerminateProcess: { parameters: ["pointer", "u32"], result: "i32" },
  // BOOL GetMailslotInfo(HANDLE hMailslot, LPDWORD lpMaxMessageSize, LPDWORD lpNextSize,
  //   LPDWORD lpMessageCount, LPDWORD lpReadTimeout)
  GetMailslotInfo: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  // HANDLE CreateFileMappingW(HANDLE hFile, LPSECURITY_ATTRIBUTES lpFileMappingAttributes,
  //   DWORD flProtect, DWORD dwMaximumSizeHigh, DWORD dwMaximumSizeLow, LPCWSTR lpName)
  CreateFileMappingW: {
    parameters: ["pointer", "pointer", "u32", "u32", "u32", "buffer"],
    result: "pointer",
  },
  // HANDLE OpenFileMappingW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName)
  OpenFileMappingW: { parameters: ["u32", "i32", "buffer"], result: "pointer" },
  // LPVOID MapViewOfFile(HANDLE hFileMappingObject, DWORD dwDesiredAccess,
  //   DWORD dwFileOffsetHigh, DWORD dwFileOffsetLow, SIZE_T dwNumberOfBytesToMap)
  MapViewOfFile: { parameters: ["pointer", "u32", "u32", "u32", "usize"], result: "pointer" },
  // BOOL UnmapViewOfFile(LPCVOID lpBaseAddress)
  UnmapViewOfFile: { parameters: ["pointer"], result: "i32" },
  // BOOL FlushViewOfFile(LPCVOID lpBaseAddress, SIZE_T dwNumberOfBytesToFlush)
  FlushViewOfFile: { parameters: ["pointer", "usize"], result: "i32" },
  // SIZE_T VirtualQuery(LPCVOID lpAddress, PMEMORY_BASIC_INFORMATION lpBuffer, SIZE_T dwLength)
  VirtualQuery: { parameters: ["pointer", "buffer", "usize"], result: "usize" },
  // HANDLE CreateSemaphoreW(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount,
  //   LONG lMaximumCount, LPCWSTR lpName)
  CreateSemaphoreW: { parameters: ["pointer", "i32", "i32", "buffer"], result: "pointer" },
  // HANDLE OpenSemaphoreW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName)
  OpenSemaphoreW: { parameters: ["u32", "i32", "buffer"], result: "pointer" },
  // BOOL ReleaseSemaphore(HANDLE hSemaphore, LONG lReleaseCount, LPLONG lpPreviousCount)
  ReleaseSemaphore: { parameters: ["pointer", "i32", "buffer"], result: "i32" },
  // HANDLE CreateWaitableTimerExW(LPSECURITY_ATTRIBUTES lpTimerAttributes, LPCWSTR lpTimerName,
  //   DWORD dwFlags, DWORD dwDesiredAccess)
  CreateWaitableTimerExW: { parameters: ["pointer", "buffer", "u32", "u32"], result: "pointer" },
  // HANDLE OpenWaitableTimerW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpTimerName)
  OpenWaitableTimerW: { parameters: ["u32", "i32", "buffer"], result: "pointer" },
  // BOOL SetWaitableTimer(HANDLE hTimer, const LARGE_INTEGER *lpDueTime, LONG lPeriod,
  //   PTIMERAPCROUTINE pfnCompletionRoutine, LPVOID lpArgToCompletionRoutine, BOOL fResume)
  SetWaitableTimer: {
    parameters: ["pointer", "buffer", "i32", "pointer", "pointer", "i32"],
    result: "i32",
  },
  // BOOL CancelWaitableTimer(HANDLE hTimer)
  CancelWaitableTimer: { parameters: ["pointer"], result: "i32" },
  // HANDLE CreateMutexW(LPSECURITY_ATTRIBUTES lpMutexAttributes, BOOL bInitialOwner, LPCWSTR lpName)
  CreateMutexW: { parameters: ["pointer", "i32", "buffer"], result: "pointer" },
  // HANDLE OpenMutexW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName)
  OpenMutexW: { parameters: ["u32", "i32", "buffer"], result: "pointer" },
  // BOOL ReleaseMutex(HANDLE hMutex)
  ReleaseMutex: { parameters: ["pointer"], result: "i32" },
  // HMODULE GetModuleHandleW(LPCWSTR lpModuleName)
  GetModuleHandleW: { parameters: ["buffer"], result: "pointer" },
  // FARPROC GetProcAddress(HMODULE hModule, LPCSTR lpProcName)
  GetProcAddress: { parameters: ["pointer", "buffer"], result: "pointer" },
  // LPVOID VirtualAlloc(LPVOID lpAddress, SIZE_T dwSize, DWORD flAllocationType, DWORD flProtect)
  VirtualAlloc: { parameters: ["pointer", "usize", "u32", "u32"], result: "pointer" },
  // BOOL VirtualProtect(LPVOID lpAddress, SIZE_T dwSize, DWORD flNewProtect, PDWORD lpflOldProtect)
  VirtualProtect: { parameters: ["pointer", "usize", "u32", "buffer"], result: "i32" },
  // BOOL FlushInstructionCache(HANDLE hProcess, LPCVOID lpBaseAddress, SIZE_T dwSize)
  FlushInstructionCache: { parameters: ["pointer", "pointer", "usize"], result: "i32" },
  // HANDLE OpenThread(DWORD dwDesiredAccess, BOOL bInheritHandle, DWORD dwThreadId)
  OpenThread: { parameters: ["u32", "i32", "u32"], result: "pointer" },
  // DWORD QueueUserAPC(PAPCFUNC pfnAPC, HANDLE hThread, ULONG_PTR dwData)
  QueueUserAPC: { parameters: ["pointer", "pointer", "usize"], result: "u32" },
  // HANDLE CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes, SIZE_T dwStackSize,
  //   LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter, DWORD dwCreationFlags,
  //   LPDWORD lpThreadId)
  CreateThread: {
    parameters: ["pointer", "usize", "pointer", "pointer", "u32", "buffer"],
    result: "pointer",
  },
  // HANDLE FindFirstFileW(LPCWSTR lpFileName, LPWIN32_FIND_DATAW lpFindFileData)
  FindFirstFileW: { parameters: ["buffer", "buffer"], result: "pointer" },
  // BOOL FindNextFileW(HANDLE hFindFile, LPWIN32_FIND_DATAW lpFindFileData)
  FindNextFileW: { parameters: ["pointer", "buffer"], result: "i32" },
  // BOOL FindClose(HANDLE hFindFile)
  FindClose: { parameters: ["pointer"], result: "i32" },
  // HANDLE GetCurrentThread(void)
  GetCurrentThread: { parameters: [], result: "pointer" },
  // DWORD GetCurrentProcessId(void)
  GetCurrentProcessId: { parameters: [], result: "u32" },
  // HANDLE GetCurrentProcess(void)
  GetCurrentProcess: { parameters: [], result: "pointer" },
  // BOOL GetProcessTimes(HANDLE hProcess, LPFILETIME lpCreationTime,
  //   LPFILETIME lpExitTime, LPFILETIME lpKernelTime, LPFILETIME lpUserTime)
  GetProcessTimes: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  // HANDLE OpenProcess(DWORD dwDesiredAccess, BOOL bInheritHandle, DWORD dwProcessId)
  OpenProcess: { parameters: ["u32", "i32", "u32"], result: "pointer" },
  // BOOL GetProcessHandleCount(HANDLE hProcess, PDWORD pdwHandleCount)
  GetProcessHandleCount: { parameters: ["pointer", "buffer"], result: "i32" },
  // HANDLE CreateToolhelp32Snapshot(DWORD dwFlags, DWORD th32ProcessID)
  CreateToolhelp32Snapshot: { parameters: ["u32", "u32"], result: "pointer" },
  // BOOL Thread32First(HANDLE hSnapshot, LPTHREADENTRY32 lpte)
  Thread32First: { parameters: ["pointer", "buffer"], result: "i32" },
  // BOOL Thread32Next(HANDLE hSnapshot, LPTHREADENTRY32 lpte)
  Thread32Next: { parameters: ["pointer", "buffer"], result: "i32" },
  // HLOCAL LocalFree(HLOCAL hMem)
  LocalFree: { parameters: ["pointer"], result: "pointer" },
  // HGLOBAL GlobalAlloc(UINT uFlags, SIZE_T dwBytes) (clipboard data, delayed rendering)
  GlobalAlloc: { parameters: ["u32", "usize"], result: "pointer" },
  // LPVOID GlobalLock(HGLOBAL hMem)
  GlobalLock: { parameters: ["pointer"], result: "pointer" },
  // BOOL GlobalUnlock(HGLOBAL hMem)
  GlobalUnlock: { parameters: ["pointer"], result: "i32" },
  // SIZE_T GlobalSize(HGLOBAL hMem)
  GlobalSize: { parameters: ["pointer"], result: "usize" },
  // BOOL QueryFullProcessImageNameW(HANDLE hProcess, DWORD dwFlags, LPWSTR lpExeName,
  //   PDWORD lpdwSize)
  QueryFullProcessImageNameW: { parameters: ["pointer", "u32", "buffer", "buffer"], result: "i32" },
  // DWORD GetCurrentThreadId(void)
  GetCurrentThreadId: { parameters: [], result: "u32" },
  // DWORD WaitForMultipleObjectsEx(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
  //   DWORD dwMilliseconds, BOOL bAlertable) (waitAll's own thread)
  WaitForMultipleObjectsEx: { parameters: ["u32", "buffer", "i32", "u32", "i32"], result: "u32" },
  // HGLOBAL GlobalFree(HGLOBAL hMem)
  GlobalFree: { parameters: ["pointer"], result: "pointer" },
  // void RtlMoveMemory(VOID *Destination, const VOID *Source, SIZE_T Length)
  RtlMoveMemory: { parameters: ["pointer", "buffer", "usize"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

/** advapi32.dll: security descriptors, tokens and account names. */
export const ADVAPI32 = {
  // BOOL ConvertStringSecurityDescriptorToSecurityDescriptorW(LPCWSTR StringSecurityDescriptor,
  //   DWORD StringSDRevision, PSECURITY_DESCRIPTOR *SecurityDescriptor,
  //   PULONG SecurityDescriptorSize)
  ConvertStringSecurityDescriptorToSecurityDescriptorW: {
    parameters: ["buffer", "u32", "buffer", "buffer"],
    result: "i32",
  },
  // BOOL ConvertSecurityDescriptorToStringSecurityDescriptorW(
  //   PSECURITY_DESCRIPTOR SecurityDescriptor, DWORD RequestedStringSDRevision,
  //   SECURITY_INFORMATION SecurityInformation, LPWSTR *StringSecurityDescriptor,
  //   PULONG StringSecurityDescriptorLen)
  ConvertSecurityDescriptorToStringSecurityDescriptorW: {
    parameters: ["pointer", "u32", "u32", "buffer", "buffer"],
    result: "i32",
  },
  // DWORD GetSecurityInfo(HANDLE handle, SE_OBJECT_TYPE ObjectType,
  //   SECURITY_INFORMATION SecurityInfo, PSID *ppsidOwner, PSID *ppsidGroup,
  //   PACL *ppDacl, PACL *ppSacl, PSECURITY_DESCRIPTOR *ppSecurityDescriptor)
  GetSecurityInfo: {
    parameters: ["pointer", "u32", "u32", "pointer", "pointer", "pointer", "pointer", "buffer"],
    result: "u32",
  },
  // BOOL ImpersonateNamedPipeClient(HANDLE hNamedPipe)
  ImpersonateNamedPipeClient: { parameters: ["pointer"], result: "i32" },
  // BOOL RevertToSelf(void)
  RevertToSelf: { parameters: [], result: "i32" },
  // BOOL OpenThreadToken(HANDLE ThreadHandle, DWORD DesiredAccess, BOOL OpenAsSelf,
  //   PHANDLE TokenHandle)
  OpenThreadToken: { parameters: ["pointer", "u32", "i32", "buffer"], result: "i32" },
  // BOOL GetTokenInformation(HANDLE TokenHandle, TOKEN_INFORMATION_CLASS TokenInformationClass,
  //   LPVOID TokenInformation, DWORD TokenInformationLength, PDWORD ReturnLength)
  GetTokenInformation: {
    parameters: ["pointer", "u32", "buffer", "u32", "buffer"],
    result: "i32",
  },
  // BOOL ConvertSidToStringSidW(PSID Sid, LPWSTR *StringSid)
  ConvertSidToStringSidW: { parameters: ["pointer", "buffer"], result: "i32" },
  // BOOL LookupAccountSidW(LPCWSTR lpSystemName, PSID Sid, LPWSTR Name, LPDWORD cchName,
  //   LPWSTR ReferencedDomainName, LPDWORD cchReferencedDomainName, PSID_NAME_USE peUse)
  // On the blocking pool: resolving a domain account may ask a domain controller.
  LookupAccountSidWNb: {
    name: "LookupAccountSidW",
    parameters: ["pointer", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
  },

  // ---- named pipes: who the server is (named_pipe/_identity.ts) ----
  // BOOL OpenProcessToken(HANDLE ProcessHandle, DWORD DesiredAccess, PHANDLE TokenHandle)
  OpenProcessToken: { parameters: ["pointer", "u32", "buffer"], result: "i32" },
  // ---- end of named pipes: who the server is ----
} as const satisfies Deno.ForeignLibraryInterface;

// NTSTATUS NtCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess,
//   POBJECT_ATTRIBUTES ObjectAttributes, PIO_STATUS_BLOCK IoStatusBlock,
//   PLARGE_INTEGER AllocationSize, ULONG FileAttributes, ULONG ShareAccess,
//   ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer, ULONG EaLength)
const NT_CREATE_FILE_PARAMETERS = [
  "buffer",
  "u32",
  "buffer",
  "buffer",
  "pointer",
  "u32",
  "u32",
  "u32",
  "u32",
  "pointer",
  "u32",
] as const;

/** ntdll.dll: status conversion, and Wine detection for the test suite. */
export const NTDLL = {
  // NTSTATUS NtQueryInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock,
  //   PVOID FileInformation, ULONG Length, FILE_INFORMATION_CLASS FileInformationClass)
  NtQueryInformationFile: {
    parameters: ["pointer", "buffer", "buffer", "u32", "u32"],
    result: "u32",
  },
  // NTSTATUS NtCreateMailslotFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess,
  //   POBJECT_ATTRIBUTES ObjectAttributes, PIO_STATUS_BLOCK IoStatusBlock,
  //   ULONG CreateOptions, ULONG MailslotQuota, ULONG MaximumMessageSize,
  //   PLARGE_INTEGER ReadTimeout)
  NtCreateMailslotFile: {
    parameters: ["buffer", "u32", "buffer", "buffer", "u32", "u32", "u32", "buffer"],
    result: "u32",
  },
  // NtCreateFile on Deno's blocking pool: opening a pipe on another computer goes over the
  // network. It returns its status, where CreateFileW's last error would stay
  // on the pool thread.
  NtCreateFileNb: {
    name: "NtCreateFile",
    parameters: NT_CREATE_FILE_PARAMETERS,
    result: "u32",
    nonblocking: true,
  },
  // The same, on the JavaScript thread: a local open answers at once, and its
  // status is its return value, which nothing can overwrite (see errors.ts).
  NtCreateFile: { parameters: NT_CREATE_FILE_PARAMETERS, result: "u32" },
  // NTSTATUS NtSetInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock,
  //   PVOID FileInformation, ULONG Length, FILE_INFORMATION_CLASS FileInformationClass)
  NtSetInformationFile: {
    parameters: ["pointer", "buffer", "buffer", "u32", "u32"],
    result: "u32",
  },
  // ULONG RtlNtStatusToDosError(NTSTATUS Status)
  RtlNtStatusToDosError: { parameters: ["u32"], result: "u32" },
  // const char *wine_get_version(void) (Wine only)
  wine_get_version: { parameters: [], result: "pointer", optional: true },
} as const satisfies Deno.ForeignLibraryInterface;

/**
 * user32.dll: windows, messages and the clipboard. The same table serves the
 * JavaScript thread and the window threads (each opens it in its own
 * isolate); which calls may run where is said in `window_thread.ts`.
 */
export const USER32 = {
  // HWND FindWindowW(LPCWSTR lpClassName, LPCWSTR lpWindowName)
  FindWindowW: { parameters: ["buffer", "buffer"], result: "pointer" },
  // HWND FindWindowExW(HWND hWndParent, HWND hWndChildAfter, LPCWSTR lpszClass, LPCWSTR lpszWindow)
  FindWindowExW: { parameters: ["pointer", "pointer", "buffer", "buffer"], result: "pointer" },
  // BOOL IsWindow(HWND hWnd)
  IsWindow: { parameters: ["pointer"], result: "i32" },
  // BOOL IsHungAppWindow(HWND hwnd)
  IsHungAppWindow: { parameters: ["pointer"], result: "i32" },
  // BOOL PostThreadMessageW(DWORD idThread, UINT Msg, WPARAM wParam, LPARAM lParam)
  PostThreadMessageW: { parameters: ["u32", "u32", "usize", "isize"], result: "i32" },
  // LRESULT SendMessageTimeoutW(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam,
  //   UINT fuFlags, UINT uTimeout, PDWORD_PTR lpdwResult): blocks; only on a send thread
  //   (copydata/_send_thread.ts)
  SendMessageTimeoutW: {
    parameters: ["pointer", "u32", "usize", "buffer", "u32", "u32", "buffer"],
    result: "isize",
  },
  // LRESULT SendMessageW(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam): blocks; only on a
  //   send thread
  SendMessageW: { parameters: ["pointer", "u32", "usize", "buffer"], result: "isize" },
  // DWORD GetWindowThreadProcessId(HWND hWnd, LPDWORD lpdwProcessId)
  GetWindowThreadProcessId: { parameters: ["pointer", "buffer"], result: "u32" },

  // Window threads: the message loop, classes and windows.
  // DWORD MsgWaitForMultipleObjectsEx(DWORD nCount, const HANDLE *pHandles,
  //   DWORD dwMilliseconds, DWORD dwWakeMask, DWORD dwFlags)
  MsgWaitForMultipleObjectsEx: {
    parameters: ["u32", "buffer", "u32", "u32", "u32"],
    result: "u32",
  },
  // BOOL PeekMessageW(LPMSG lpMsg, HWND hWnd, UINT wMsgFilterMin, UINT wMsgFilterMax,
  //   UINT wRemoveMsg)
  PeekMessageW: { parameters: ["buffer", "pointer", "u32", "u32", "u32"], result: "i32" },
  // BOOL TranslateMessage(const MSG *lpMsg)
  TranslateMessage: { parameters: ["buffer"], result: "i32" },
  // LRESULT DispatchMessageW(const MSG *lpMsg)
  DispatchMessageW: { parameters: ["buffer"], result: "isize" },
  // LRESULT DefWindowProcW(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam)
  DefWindowProcW: { parameters: ["pointer", "u32", "usize", "isize"], result: "isize" },
  // ATOM RegisterClassExW(const WNDCLASSEXW *unnamedParam1)
  RegisterClassExW: { parameters: ["buffer"], result: "u16" },
  // BOOL UnregisterClassW(LPCWSTR lpClassName, HINSTANCE hInstance)
  UnregisterClassW: { parameters: ["buffer", "pointer"], result: "i32" },
  // HWND CreateWindowExW(DWORD dwExStyle, LPCWSTR lpClassName, LPCWSTR lpWindowName,
  //   DWORD dwStyle, int X, int Y, int nWidth, int nHeight, HWND hWndParent, HMENU hMenu,
  //   HINSTANCE hInstance, LPVOID lpParam)
  CreateWindowExW: {
    parameters: [
      "u32",
      "buffer",
      "buffer",
      "u32",
      "i32",
      "i32",
      "i32",
      "i32",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
    ],
    result: "pointer",
  },
  // BOOL DestroyWindow(HWND hWnd)
  DestroyWindow: { parameters: ["pointer"], result: "i32" },
  // BOOL ChangeWindowMessageFilterEx(HWND hwnd, UINT message, DWORD action,
  //   PCHANGEFILTERSTRUCT pChangeFilterStruct)
  ChangeWindowMessageFilterEx: { parameters: ["pointer", "u32", "u32", "pointer"], result: "i32" },
  // UINT_PTR SetTimer(HWND hWnd, UINT_PTR nIDEvent, UINT uElapse, TIMERPROC lpTimerFunc)
  SetTimer: { parameters: ["pointer", "usize", "u32", "pointer"], result: "usize" },
  // BOOL KillTimer(HWND hWnd, UINT_PTR uIDEvent)
  KillTimer: { parameters: ["pointer", "usize"], result: "i32" },

  // The clipboard.
  // BOOL OpenClipboard(HWND hWndNewOwner)
  OpenClipboard: { parameters: ["pointer"], result: "i32" },
  // BOOL CloseClipboard(void)
  CloseClipboard: { parameters: [], result: "i32" },
  // BOOL EmptyClipboard(void): sends WM_DESTROYCLIPBOARD to the owner, and waits
  EmptyClipboard: { parameters: [], result: "i32" },
  // HANDLE SetClipboardData(UINT uFormat, HANDLE hMem)
  SetClipboardData: { parameters: ["u32", "pointer"], result: "pointer" },
  // HANDLE GetClipboardData(UINT uFormat): sends WM_RENDERFORMAT for a delayed format, and waits
  GetClipboardData: { parameters: ["u32"], result: "pointer" },
  // UINT EnumClipboardFormats(UINT format)
  EnumClipboardFormats: { parameters: ["u32"], result: "u32" },
  // int GetClipboardFormatNameW(UINT format, LPWSTR lpszFormatName, int cchMaxCount)
  GetClipboardFormatNameW: { parameters: ["u32", "buffer", "i32"], result: "i32" },
  // UINT RegisterClipboardFormatW(LPCWSTR lpszFormat)
  RegisterClipboardFormatW: { parameters: ["buffer"], result: "u32" },
  // DWORD GetClipboardSequenceNumber(void): sends no message, safe on any thread
  GetClipboardSequenceNumber: { parameters: [], result: "u32" },
  // HWND GetOpenClipboardWindow(void)
  GetOpenClipboardWindow: { parameters: [], result: "pointer" },
  // HWND GetClipboardOwner(void)
  GetClipboardOwner: { parameters: [], result: "pointer" },
  // BOOL AddClipboardFormatListener(HWND hwnd)
  AddClipboardFormatListener: { parameters: ["pointer"], result: "i32" },
  // BOOL RemoveClipboardFormatListener(HWND hwnd)
  RemoveClipboardFormatListener: { parameters: ["pointer"], result: "i32" },
  // BOOL GetUpdatedClipboardFormats(PUINT lpuiFormats, UINT cFormats, PUINT pcFormatsOut)
  GetUpdatedClipboardFormats: { parameters: ["buffer", "u32", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** gdi32.dll: enhanced metafiles, the one clipboard format whose data is a GDI handle we copy. */
export const GDI32 = {
  // UINT GetEnhMetaFileBits(HENHMETAFILE hEMF, UINT nSize, LPBYTE lpData)
  GetEnhMetaFileBits: { parameters: ["pointer", "u32", "buffer"], result: "u32" },
  // HENHMETAFILE SetEnhMetaFileBits(UINT nSize, const BYTE *pb)
  SetEnhMetaFileBits: { parameters: ["u32", "buffer"], result: "pointer" },
  // BOOL DeleteEnhMetaFile(HENHMETAFILE hmf)
  DeleteEnhMetaFile: { parameters: ["pointer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

type Symbols<T extends Deno.ForeignLibraryInterface> = Deno.DynamicLibrary<T>["symbols"];

let errorSlot:
  | Deno.DynamicLibrary<
    { GetLastError: typeof KERNEL32.GetLastError; SetLastError: typeof KERNEL32.SetLastError }
  >["symbols"]
  | undefined;

/** `GetLastError` and `SetLastError`, bound together before any other symbol. */
function lastErrorSlot() {
  errorSlot ??= Deno.dlopen("kernel32.dll", {
    GetLastError: KERNEL32.GetLastError,
    SetLastError: KERNEL32.SetLastError,
  }).symbols;
  return errorSlot;
}

/**
 * A table's symbols, each bound on its first use: Deno binds every symbol
 * of a table when it opens it (about 0.3 ms a symbol under Wine, 40 ms for
 * all of kernel32's), so each symbol is opened on its own (`Deno.dlopen`
 * with a table of one: the DLL is loaded once, and reference-counted) the
 * first time it is read, then kept as a plain property.
 */
function lazyLibrary<T extends Deno.ForeignLibraryInterface>(
  file: string,
  table: T,
): () => Symbols<T> {
  let symbols: Symbols<T> | undefined;
  return () => {
    if (symbols === undefined) {
      if (Deno.build.os !== "windows") {
        throw new Deno.errors.NotSupported(
          `winipc needs Windows: cannot open ${file} on ${Deno.build.os}`,
        );
      }
      // Bound now, so that reading `k.GetLastError` is a plain property read:
      // a binding getter would run JavaScript between a call and its read.
      lastErrorSlot();
      const made = {} as Record<string, unknown>;
      for (const name of Object.keys(table)) {
        if (file === "kernel32.dll" && (name === "GetLastError" || name === "SetLastError")) {
          // Already bound with the slot: the same functions, not bound twice.
          made[name] = lastErrorSlot()[name];
          continue;
        }
        Object.defineProperty(made, name, {
          configurable: true,
          enumerable: true,
          get() {
            // Binding sets the thread's last error; it happens before the
            // symbol's first call, never between a call and its
            // `GetLastError` (bound already: see errors.ts).
            // Permission errors (--allow-ffi missing) pass through unchanged.
            const one = Deno.dlopen(file, { [name]: table[name]! });
            const symbol = one.symbols[name];
            Object.defineProperty(made, name, { value: symbol, enumerable: true });
            return symbol;
          },
        });
      }
      symbols = made as Symbols<T>;
    }
    return symbols;
  };
}

/** The kernel32 symbols; each is bound on its first use. */
export const kernel32: () => Symbols<typeof KERNEL32> = lazyLibrary("kernel32.dll", KERNEL32);
/** The advapi32 symbols; opens advapi32.dll on first use. */
export const advapi32: () => Symbols<typeof ADVAPI32> = lazyLibrary("advapi32.dll", ADVAPI32);
/** The ntdll symbols; opens ntdll.dll on first use. */
export const ntdll: () => Symbols<typeof NTDLL> = lazyLibrary("ntdll.dll", NTDLL);
/** The user32 symbols; each is bound on its first use. */
export const user32: () => Symbols<typeof USER32> = lazyLibrary("user32.dll", USER32);
/** The gdi32 symbols; opens gdi32.dll on first use. */
export const gdi32: () => Symbols<typeof GDI32> = lazyLibrary("gdi32.dll", GDI32);

/**
 * The address of a kernel32 function, for code that Windows calls rather
 * than JavaScript (a thread routine's calls, an APC routine).
 *
 * @param name The function's exported name.
 * @returns Its address, or `null` if kernel32 has none of that name
 * (`GetLastError` says why).
 */
export function kernel32Address(name: string): Deno.PointerObject | null {
  const k = kernel32();
  const module = k.GetModuleHandleW(encodeUtf16z("kernel32.dll"));
  if (module === null) return null;
  return k.GetProcAddress(module, new TextEncoder().encode(`${name}\0`));
}

/** True when running on Windows (natively or under Wine). */
export const IS_WINDOWS: boolean = Deno.build.os === "windows";

let wineVersion: string | null | undefined;
/**
 * The Wine version when running under Wine, `null` on real Windows and on
 * other operating systems.
 */
export function wineVersionOrNull(): string | null {
  if (wineVersion === undefined) {
    wineVersion = null;
    if (IS_WINDOWS) {
      const get = ntdll().wine_get_version;
      const ptr = get ? get() : null;
      if (ptr !== null) wineVersion = new Deno.UnsafePointerView(ptr).getCString();
    }
  }
  return wineVersion;
}

/** Windows constants the core and the mechanisms share. */
/**
 * Element `index` of a fixed-size out-parameter array that a Win32 call
 * wrote (a `new BigUint64Array(1)` for a handle, a `FILETIME` quadruple).
 *
 * @param out The out-parameter array.
 * @param index The element to read; the first by default.
 * @returns The element.
 * @throws {RangeError} If `index` is outside the array (a bug in the caller).
 */
export function outValue<T extends number | bigint>(out: ArrayLike<T>, index = 0): T {
  const value = out[index];
  if (value === undefined) {
    throw new RangeError(`Out-parameter index ${index} is outside the array (${out.length})`);
  }
  return value;
}

export const INFINITE = 0xffffffff;
export const WAIT_OBJECT_0 = 0;
export const WAIT_ABANDONED_0 = 0x80;
export const WAIT_TIMEOUT = 0x102;
export const WAIT_FAILED = 0xffffffff;
export const MAXIMUM_WAIT_OBJECTS = 64;
export const GENERIC_READ = 0x80000000;
export const GENERIC_WRITE = 0x40000000;
/** `GENERIC_READ | GENERIC_WRITE`, as an unsigned number (`|` in JavaScript gives a negative one). */
export const GENERIC_READ_WRITE = 0xc0000000;
export const OPEN_EXISTING = 3;
export const FILE_FLAG_OVERLAPPED = 0x40000000;
export const FILE_FLAG_FIRST_PIPE_INSTANCE = 0x00080000;
export const PIPE_ACCESS_INBOUND = 0x1;
export const PIPE_ACCESS_OUTBOUND = 0x2;
export const PIPE_ACCESS_DUPLEX = 0x3;
export const PIPE_TYPE_BYTE = 0x0;
export const PIPE_TYPE_MESSAGE = 0x4;
export const PIPE_READMODE_MESSAGE = 0x2;
export const PIPE_REJECT_REMOTE_CLIENTS = 0x8;
export const PIPE_UNLIMITED_INSTANCES = 255;
export const SECURITY_SQOS_PRESENT = 0x00100000;
export const SECURITY_ANONYMOUS = 0x00000000;
export const SECURITY_IDENTIFICATION = 0x00010000;
export const SECURITY_IMPERSONATION = 0x00020000;
export const SECURITY_DELEGATION = 0x00030000;
export const PIPE_CLIENT_END = 0x0;
export const PIPE_SERVER_END = 0x1;
export const HANDLE_FLAG_INHERIT = 0x1;
export const FILE_TYPE_PIPE = 0x3;
export const FILE_SHARE_READ_WRITE = 0x3;
export const DUPLICATE_SAME_ACCESS = 0x2;
