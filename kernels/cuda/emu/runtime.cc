//go:build plateau_cudaemu

// The emulator's runtime: blocks run one at a time per OS thread, their
// threads as fibers (Boost.Context) switched cooperatively at barriers and
// warp collectives; the kernel registry; the C API the Go side calls
// (emu.h); the fault handler that names the kernel of an invalid access.
#include "emu.h"

#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <boost/context/fiber.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "runtime.h"

namespace ctx = boost::context;

namespace emu {

__thread ThreadState* current_thread;
__thread BlockState* current_block;

namespace {

constexpr int kMaxThreads = 1024;  // per block, as on every GPU since sm_20
constexpr size_t kStackBytes = 64 << 10;
constexpr size_t kGuardBytes = 4096;

// ---------------------------------------------------------------------------
// The kernel registry.

struct Kernel {
  const char* module;
  const char* name;
  AnyFn fn;
  Invoke invoke;
  int nparams;
  const char* kinds;
};

std::vector<Kernel>& registry() {
  static std::vector<Kernel> r;
  return r;
}

// ---------------------------------------------------------------------------
// Fiber stacks: a worker keeps the stacks it has made, each with a guard
// page below it, and hands them out again; a thread that finishes without
// waiting gives its stack back at once, so a block whose threads never wait
// uses one stack.

class StackPool {
 public:
  ~StackPool() {
    for (void* base : all_) munmap(base, kStackBytes + kGuardBytes);
  }
  ctx::stack_context allocate() {
    void* base;
    if (!free_.empty()) {
      base = free_.back();
      free_.pop_back();
    } else {
      base = mmap(nullptr, kStackBytes + kGuardBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (base == MAP_FAILED) throw std::bad_alloc();
      mprotect(base, kGuardBytes, PROT_NONE);
      all_.push_back(base);
    }
    // The tops of the stacks are staggered by a multiple of 64 bytes, so
    // that the threads' live frames do not all fall in the same cache sets.
    size_t color = ((reinterpret_cast<uintptr_t>(base) >> 12) % 61) * 64;
    ctx::stack_context sc;
    sc.size = kStackBytes - color;
    sc.sp = static_cast<char*>(base) + kGuardBytes + kStackBytes - color;
    return sc;
  }
  void deallocate(ctx::stack_context& sc) {
    uintptr_t low = reinterpret_cast<uintptr_t>(sc.sp) - kStackBytes - kGuardBytes;  // base - color
    free_.push_back(reinterpret_cast<void*>((low + 4095) & ~uintptr_t(4095)));
  }

 private:
  std::vector<void*> all_, free_;
};

// PoolRef is the stack allocator a fiber keeps: a pointer to its worker's pool.
struct PoolRef {
  StackPool* pool;
  ctx::stack_context allocate() { return pool->allocate(); }
  void deallocate(ctx::stack_context& sc) { pool->deallocate(sc); }
};

// ---------------------------------------------------------------------------
// Threads, warps, blocks.

enum class Wait : uint8_t { Ready, Barrier, Warp, Done, Fault };

struct Thread : ThreadState {
  int linear;
  Wait wait;
  bool started;
  Site site;        // where it waits
  uint64_t result;  // what a collective gave this lane
  ctx::fiber self;  // the thread while it is suspended (or before it starts)
};

struct Warp {
  unsigned lanes;    // lanes that exist (the last warp of a block may be partial)
  unsigned exited;   // lanes that have returned
  unsigned arrived;  // lanes waiting in the pending collective
  unsigned mask;     // the pending collective's mask
  Collective op;
  int width;
  Site site;
  uint64_t value[32];
  int arg[32];
  void* payload[32];
};

struct Block : BlockState {
  const Kernel* kernel;
  void* const* args;
  int n;
  int exited;
  int at_barrier;
  Site barrier;
  Thread* threads;
  Warp* warps;
  StackPool* pool;
  ctx::fiber sched;  // the scheduler while the threads run
  bool failed;
  std::string error;
};

thread_local Block* running;  // the block of this OS thread, for faults

inline bool same_site(const Site& a, const Site& b) {
  return a.line == b.line && (a.what == b.what || strcmp(a.what, b.what) == 0) &&
         (a.file == b.file || strcmp(a.file, b.file) == 0);
}

std::string site_str(const Site& s) {
  const char* base = strrchr(s.file, '/');
  return std::string(s.what) + " at " + (base ? base + 1 : s.file) + ":" + std::to_string(s.line);
}

std::string dim_str(unsigned x, unsigned y, unsigned z) {
  return "(" + std::to_string(x) + "," + std::to_string(y) + "," + std::to_string(z) + ")";
}

// ranges lists thread numbers as "0-31, 64, 96-127".
std::string ranges(const std::vector<int>& ids) {
  std::string s;
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) j++;
    if (!s.empty()) s += ", ";
    s += std::to_string(ids[i]);
    if (j > i) s += "-" + std::to_string(ids[j]);
    i = j + 1;
  }
  return s;
}

// who is "thread 5" or "threads 0-31, 64".
std::string who(const std::vector<int>& ids) {
  return (ids.size() == 1 ? "thread " : "threads ") + ranges(ids);
}

// describe_waits lists where the block's unfinished threads wait, one
// group of threads per place, for deadlock and divergence reports.
std::string describe_waits(Block& b) {
  std::vector<std::pair<Site, std::vector<int>>> groups;
  std::vector<int> ready, exited;
  for (int i = 0; i < b.n; i++) {
    Thread& t = b.threads[i];
    if (t.wait == Wait::Done) {
      exited.push_back(i);
      continue;
    }
    if (t.wait != Wait::Barrier && t.wait != Wait::Warp) {
      ready.push_back(i);
      continue;
    }
    bool found = false;
    for (auto& g : groups) {
      if (same_site(g.first, t.site)) {
        g.second.push_back(i);
        found = true;
        break;
      }
    }
    if (!found) groups.push_back({t.site, {i}});
  }
  std::string s;
  for (auto& g : groups) s += "; " + who(g.second) + (g.second.size() == 1 ? " waits in " : " wait in ") + site_str(g.first);
  if (!exited.empty()) s += "; " + who(exited) + (exited.size() == 1 ? " has returned" : " have returned");
  if (!ready.empty()) s += "; " + who(ready) + (ready.size() == 1 ? " is running" : " are running");
  return s;
}

Thread* self() { return static_cast<Thread*>(current_thread); }

// Switching. The running thread hands the OS thread straight to the next
// ready thread of the sweep (in thread order), and the last one of the
// sweep to the scheduler, which starts the next sweep: one context switch
// per wait. from_slot says where the context that switches away keeps its
// continuation, which the context it resumes stores there.
thread_local ctx::fiber* from_slot;

void switch_to(ctx::fiber* mine, ctx::fiber* target) {
  from_slot = mine;
  ctx::fiber back = std::move(*target).resume();
  if (back) *from_slot = std::move(back);  // empty when the context that resumed us has ended
}

void thread_exit(Block& b, Thread& t);
ctx::fiber* next_after(Block& b, int i);

// fiber_of returns thread t's context, making it when t first runs.
ctx::fiber* fiber_of(Block& b, Thread& t) {
  if (!t.started) {
    t.started = true;
    Thread* tp = &t;
    Block* bp = &b;
    t.self = ctx::fiber(std::allocator_arg, PoolRef{b.pool}, [tp, bp](ctx::fiber&& back) {
      if (back) *from_slot = std::move(back);  // empty when started by a thread that has ended
      current_thread = tp;
      bp->kernel->invoke(bp->kernel->fn, bp->args);
      thread_exit(*bp, *tp);
      return std::move(*next_after(*bp, tp->linear));
    });
  }
  return &t.self;
}

// next_after returns the context to run after thread i: the next ready
// thread of the sweep, or the scheduler (also once the block has failed).
ctx::fiber* next_after(Block& b, int i) {
  if (!b.failed) {
    for (int j = i + 1; j < b.n; j++)
      if (b.threads[j].wait == Wait::Ready) return fiber_of(b, b.threads[j]);
  }
  return &b.sched;
}

// suspend runs other threads until this one is made ready again.
void suspend(Thread* t) {
  switch_to(&t->self, next_after(*running, t->linear));
  current_thread = t;
}

void fail(Block& b, const Thread* t, const std::string& what) {
  if (b.failed) return;
  b.failed = true;
  b.error = "kernel " + std::string(b.kernel->name) + ", block " + dim_str(b.idx.x, b.idx.y, b.idx.z);
  if (t) b.error += ", thread " + dim_str(t->idx.x, t->idx.y, t->idx.z);
  b.error += ": " + what;
}

// stop records the failure of the running thread and leaves it suspended
// for good; the scheduler abandons the block.
[[noreturn]] void stop(const std::string& what) {
  Thread* t = self();
  fail(*running, t, what);
  t->wait = Wait::Fault;
  suspend(t);
  __builtin_unreachable();  // a faulted thread is never resumed, only unwound
}

void thread_exit(Block& b, Thread& t) {
  current_thread = &t;
  t.wait = Wait::Done;
  b.exited++;
  Warp& w = b.warps[t.linear >> 5];
  unsigned bit = 1u << (t.linear & 31);
  w.exited |= bit;
  if (b.at_barrier > 0) {
    fail(b, &t, "returned while threads wait in " + site_str(b.barrier) +
                    " (a barrier must be reached by every thread of the block)" + describe_waits(b));
  } else if (w.arrived != 0 && (w.mask & bit)) {
    fail(b, &t, "returned while lanes of its warp wait for it in " + site_str(w.site) + describe_waits(b));
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// Barriers and collectives (runtime.h).

void syncthreads(Site s) {
  Thread* t = self();
  Block& b = *running;
  if (b.at_barrier == 0) {
    b.barrier = s;
  } else if (!same_site(b.barrier, s)) {
    stop("reached " + site_str(s) + " while other threads wait in " + site_str(b.barrier) +
         " (threads of a block must reach the same barrier)" + describe_waits(b));
  }
  if (b.exited > 0) {
    std::vector<int> gone;
    for (int i = 0; i < b.n; i++)
      if (b.threads[i].wait == Wait::Done) gone.push_back(i);
    stop("reached " + site_str(s) + " after " + who(gone) +
         " returned (a barrier must be reached by every thread of the block)");
  }
  if (++b.at_barrier == b.n) {
    for (int i = 0; i < b.n; i++)
      if (b.threads[i].wait == Wait::Barrier) b.threads[i].wait = Wait::Ready;
    b.at_barrier = 0;
    return;
  }
  t->wait = Wait::Barrier;
  t->site = s;
  suspend(t);
}

namespace {

// arrive adds the running lane to its warp's pending collective, checking
// that the lanes agree; it returns whether this lane completes it.
bool arrive(Thread* t, Site s, Collective op, unsigned mask, int width) {
  Block& b = *running;
  Warp& w = b.warps[t->linear >> 5];
  int lane = t->linear & 31;
  unsigned bit = 1u << lane;
  if (!(mask & bit)) {
    char m[16];
    snprintf(m, sizeof m, "%08x", mask);
    stop(site_str(s) + " with mask 0x" + m + ", which leaves out the calling lane " + std::to_string(lane));
  }
  if (mask & ~w.lanes) {
    char m[16];
    snprintf(m, sizeof m, "%08x", mask);
    stop(site_str(s) + " with mask 0x" + m + " names lanes that do not exist in this block");
  }
  if (mask & w.exited) {
    int gone = __builtin_ctz(mask & w.exited);
    stop(site_str(s) + " names lane " + std::to_string(gone) + ", which has returned");
  }
  if (w.arrived == 0) {
    w.mask = mask;
    w.op = op;
    w.site = s;
    w.width = width;
  } else if (!same_site(w.site, s) || w.op != op) {
    stop("reached " + site_str(s) + " while lanes of its warp wait in " + site_str(w.site) +
         " (the lanes of a collective must reach the same one)" + describe_waits(b));
  } else if (w.mask != mask || w.width != width) {
    stop(site_str(s) + ": the lanes give different masks or widths");
  }
  w.arrived |= bit;
  return w.arrived == mask;
}

// release makes every other lane of the completed collective ready.
void release(Thread* t, Warp& w) {
  Block& b = *running;
  int base = t->linear & ~31;
  for (unsigned m = w.mask; m; m &= m - 1) {
    Thread& o = b.threads[base + __builtin_ctz(m)];
    if (&o != t) o.wait = Wait::Ready;
  }
  w.arrived = 0;
}

// source returns the lane a shuffle of lane reads, or -1 for its own value.
int source(Collective op, int lane, int arg, int width) {
  int seg = lane & ~(width - 1);
  switch (op) {
    case Collective::ShflIdx:
      return seg + (arg & (width - 1));
    case Collective::ShflXor: {
      int src = lane ^ arg;
      return src >= seg + width ? -1 : src;
    }
    case Collective::ShflUp:
      return (lane - seg) - arg < 0 ? -1 : lane - arg;
    case Collective::ShflDown:
      return (lane - seg) + arg >= width ? -1 : lane + arg;
    default:
      return -1;
  }
}

}  // namespace

uint64_t collective(Site s, Collective op, unsigned mask, uint64_t value, int arg, int width) {
  Thread* t = self();
  Block& b = *running;
  if (width <= 0 || width > 32 || (width & (width - 1)) != 0)
    stop(site_str(s) + " with width " + std::to_string(width) + " (want a power of two up to 32)");
  Warp& w = b.warps[t->linear >> 5];
  int lane = t->linear & 31;
  w.value[lane] = value;
  w.arg[lane] = arg;
  if (!arrive(t, s, op, mask, width)) {
    t->wait = Wait::Warp;
    t->site = s;
    suspend(t);
    return t->result;
  }
  int base = t->linear & ~31;
  uint64_t vote = 0;
  if (op == Collective::Ballot || op == Collective::Any || op == Collective::All) {
    for (unsigned m = mask; m; m &= m - 1) vote |= (uint64_t)(w.value[__builtin_ctz(m)] != 0) << __builtin_ctz(m);
  }
  for (unsigned m = mask; m; m &= m - 1) {
    int l = __builtin_ctz(m);
    uint64_t r = 0;
    switch (op) {
      case Collective::Ballot:
        r = vote;
        break;
      case Collective::Any:
        r = vote != 0;
        break;
      case Collective::All:
        r = vote == mask;
        break;
      case Collective::SyncWarp:
        break;
      default: {
        int src = source(op, l, w.arg[l], width);
        if (src < 0) {
          r = w.value[l];
        } else if (!(mask & (1u << src))) {
          stop(site_str(s) + ": lane " + std::to_string(l) + " reads lane " + std::to_string(src) +
               ", which is not in the mask");
        } else {
          r = w.value[src];
        }
      }
    }
    b.threads[base + l].result = r;
  }
  release(t, w);
  return t->result;
}

void warp_call(Site s, void* payload, void (*fn)(void* const*, void*), void* fnctx) {
  Thread* t = self();
  Block& b = *running;
  Warp& w = b.warps[t->linear >> 5];
  if (w.lanes != 0xffffffffu) stop(site_str(s) + " in a warp of fewer than 32 threads");
  int lane = t->linear & 31;
  w.payload[lane] = payload;
  if (!arrive(t, s, Collective::SyncWarp, 0xffffffffu, 32)) {
    t->wait = Wait::Warp;
    t->site = s;
    suspend(t);
    return;
  }
  fn(w.payload, fnctx);
  release(t, w);
}

void fault(const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  stop(buf);
}

void register_kernel(const char* module, const char* name, AnyFn fn, Invoke invoke, int nparams, const char* kinds) {
  registry().push_back(Kernel{module, name, fn, invoke, nparams, kinds});
}

namespace {

// ---------------------------------------------------------------------------
// The scheduler.

struct Worker {
  StackPool pool;
  Thread threads[kMaxThreads];
  Warp warps[kMaxThreads / 32];
};

// abandon unwinds the block's suspended threads and forgets them.
void abandon(Block& b) {
  for (int i = 0; i < b.n; i++) b.threads[i].self = ctx::fiber{};
}

// run_block runs every thread of b to its end, switching at barriers and
// collectives in thread order; it returns false when the block failed.
bool run_block(Block& b) {
  b.exited = 0;
  b.at_barrier = 0;
  b.failed = false;
  for (int i = 0; i < b.n; i++) {
    Thread& t = b.threads[i];
    t.linear = i;
    t.idx = uint3{i % b.dim.x, (i / b.dim.x) % b.dim.y, i / (b.dim.x * b.dim.y)};
    t.wait = Wait::Ready;
    t.started = false;
  }
  for (int w = 0; w < (b.n + 31) / 32; w++) {
    int lanes = b.n - 32 * w < 32 ? b.n - 32 * w : 32;
    b.warps[w].lanes = lanes == 32 ? 0xffffffffu : (1u << lanes) - 1;
    b.warps[w].exited = b.warps[w].arrived = 0;
  }
  current_block = &b;
  while (b.exited < b.n) {
    ctx::fiber* first = next_after(b, -1);
    if (first == &b.sched) {
      fail(b, nullptr, "deadlock: no thread can go on" + describe_waits(b));
      abandon(b);
      return false;
    }
    switch_to(&b.sched, first);
    if (b.failed) {
      abandon(b);
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// The fault handler: an invalid memory access in a kernel (a guard page of
// an allocation, an address outside device memory) names the kernel, the
// block and the thread on stderr before Go's handler ends the process.

struct sigaction go_handlers[32];

void on_fault(int sig, siginfo_t* info, void* uctx) {
  Block* b = running;
  if (b != nullptr && current_thread != nullptr) {
    char msg[512];
    const ThreadState* t = current_thread;
    int n = snprintf(msg, sizeof msg,
                     "emulated GPU: kernel %s, block (%u,%u,%u), thread (%u,%u,%u): %s at address %p "
                     "(outside device memory, or in the guard pages around an allocation)\n",
                     b->kernel->name, b->idx.x, b->idx.y, b->idx.z, t->idx.x, t->idx.y, t->idx.z,
                     sig == SIGSEGV ? "invalid memory access" : sig == SIGFPE ? "arithmetic fault" : "bus error",
                     info->si_addr);
    if (n > 0) (void)!write(2, msg, n < (int)sizeof msg ? n : (int)sizeof msg - 1);
  }
  struct sigaction& go = go_handlers[sig];
  if (go.sa_flags & SA_SIGINFO) {
    go.sa_sigaction(sig, info, uctx);
  } else if (go.sa_handler != SIG_DFL && go.sa_handler != SIG_IGN) {
    go.sa_handler(sig);
  } else {
    signal(sig, SIG_DFL);
    raise(sig);
  }
}

void install_fault_handler() {
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE}) {
    struct sigaction sa;
    sigaction(sig, nullptr, &go_handlers[sig]);
    sa = go_handlers[sig];
    sa.sa_sigaction = on_fault;
    sa.sa_flags |= SA_SIGINFO | SA_ONSTACK;
    sigaction(sig, &sa, nullptr);
  }
}

}  // namespace
}  // namespace emu

// ---------------------------------------------------------------------------
// The misaligned accesses that -fsanitize=alignment finds in kernel code
// come here (the compiler's calls into UBSan's runtime, which is not linked:
// these two handlers are the whole of it). A 16-byte float4 load from an
// address that is not a multiple of 16 faults on the GPU.

extern "C" {

struct emu_ubsan_location {
  const char* file;
  uint32_t line, column;
};
struct emu_ubsan_type_mismatch {
  emu_ubsan_location loc;
  const void* type;
  unsigned char log_alignment;
  unsigned char kind;
};

static void emu_misaligned(emu_ubsan_type_mismatch* d, uintptr_t p) {
  if (emu::running == nullptr) return;
  const char* base = strrchr(d->loc.file, '/');
  unsigned align = 1u << d->log_alignment;
  if (p == 0) emu::fault("null pointer access at %s:%u", base ? base + 1 : d->loc.file, d->loc.line);
  if (p % align != 0)
    emu::fault("misaligned access at %s:%u: address %#lx is not a multiple of %u", base ? base + 1 : d->loc.file,
               d->loc.line, (unsigned long)p, align);
}

void __ubsan_handle_type_mismatch_v1(emu_ubsan_type_mismatch* d, uintptr_t p) { emu_misaligned(d, p); }
void __ubsan_handle_type_mismatch_v1_abort(emu_ubsan_type_mismatch* d, uintptr_t p) { emu_misaligned(d, p); }

// ---------------------------------------------------------------------------
// The C API (emu.h).

struct emu_worker {
  emu::Worker w;
};

emu_worker* emu_worker_new(void) {
  static bool installed = false;
  if (!installed) {
    installed = true;
    emu::install_fault_handler();
  }
  return new emu_worker;
}

void emu_worker_free(emu_worker* w) { delete w; }

int emu_kernel_count(void) { return (int)emu::registry().size(); }

void emu_kernel_info(int i, const char** module, const char** name, int* nparams, const char** kinds) {
  const emu::Kernel& k = emu::registry()[i];
  *module = k.module;
  *name = k.name;
  *nparams = k.nparams;
  *kinds = k.kinds;
}

int emu_run_blocks(emu_worker* wk, int kernel, const unsigned* grid, const unsigned* block, const uint64_t* params,
                   int nparams, long long first, long long count, char* err, int errlen) {
  const emu::Kernel& k = emu::registry()[kernel];
  if (block[0] * block[1] * block[2] > (unsigned)emu::kMaxThreads || nparams > 32) {
    snprintf(err, errlen, "kernel %s: block of more than %d threads or more than 32 parameters", k.name,
             emu::kMaxThreads);
    return 1;
  }
  uint64_t slots[32];
  void* args[32];
  for (int i = 0; i < nparams && i < 32; i++) {
    slots[i] = params[i];
    args[i] = &slots[i];
  }
  emu::Block b;
  b.kernel = &k;
  b.args = args;
  b.dim = emu::dim3(block[0], block[1], block[2]);
  b.grid = emu::dim3(grid[0], grid[1], grid[2]);
  b.n = (int)(block[0] * block[1] * block[2]);
  b.threads = wk->w.threads;
  b.warps = wk->w.warps;
  b.pool = &wk->w.pool;
  emu::running = &b;
  int status = 0;
  for (long long i = first; i < first + count; i++) {
    b.idx = emu::uint3{(unsigned)(i % grid[0]), (unsigned)((i / grid[0]) % grid[1]),
                       (unsigned)(i / ((long long)grid[0] * grid[1]))};
    if (!emu::run_block(b)) {
      snprintf(err, errlen, "%s", b.error.c_str());
      status = 1;
      break;
    }
  }
  emu::running = nullptr;
  emu::current_thread = nullptr;
  emu::current_block = nullptr;
  return status;
}

}  // extern "C"
