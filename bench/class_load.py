"""A class on one server: N students playing their 2D labs and a teacher's gallery, measured
(issue 19, item 5).

    python bench/class_load.py                          # 30 students, local workers, 4 frames/s, 60 s
    python bench/class_load.py --students 6 --seconds 30
    python bench/class_load.py --backend ray            # the runs as Ray actors, ray.init(num_cpus=2)
    python bench/class_load.py --backend ray --ray-cpus 8 --open-every 3   # room for 30 actors, opened 3 s apart

Each simulated student has a 2D-lab run (the page's default config, ring of 8, or `--preset`, a
class preset) opened with classroom.service.open_run on `--backend`: the local worker pool (the
app's default, its default size: cores - 1 processes) or Ray actors on a local Ray started here
with `ray.init(num_cpus=--ray-cpus)`. Every run plays, joined to one class (a Classes on a
temporary SQLite file, its recorder thread on as in the app). This process plays the web server:
- a thread per student (Streamlit gives every tab's fragment a thread) does `--fps` times a second
  what the 2D lab's live redraw does on the server: `run.view("toy_2d")` (computed where the run
  trains) and the plane and side scenes' JSON (bench/frame_cost.py draw_2d), and touches the run;
- a teacher thread every `--gallery-every` seconds does what the console's gallery fragment does:
  `classes.gallery(teacher)` (every run's "summary" view), sorted, and the gallery scene's JSON at
  the 1440x900 console size.
After every run has drawn and `--warmup` seconds, everything is counted over `--seconds`:
frames drawn per student, this process's CPU (time.process_time, every thread: drawing, gallery,
recorder, pipe readers, Ray's client) per frame drawn, the gallery's wall time and its own
thread's CPU (time.thread_time), the gallery JSON per run, training iterations per student (from
the views' iteration), the CPU of the processes under this one (workers, or Ray's actors and
daemons: /proc/<pid>/stat) per iteration, and resident memory (VmRSS; PSS, which splits shared
pages, beside it). One markdown row is printed, with its header, so rows of several runs stack.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.frame_cost import draw_2d
from classroom.class_store import ClassStore
from classroom.class_push import class_presets
from classroom.classes import Classes
from classroom.run_handle import RunLost
from classroom.service import open_run
from gan_core.config import TrainConfig
from gan_core.trainer import Trainer
from ui.class_mode.gallery_scene import gallery_scene, sort_rows
from ui.class_mode.layout import CONSOLE, REFRESH

TEACHER = "bench-teacher-key"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Window:
    """The measured stretch of time (monotonic seconds); set once every run has drawn."""

    start: float = float("inf")
    end: float = float("inf")

    def holds(self, t: float) -> bool:
        return self.start <= t < self.end


@dataclass
class Student:
    index: int
    run: object = None
    failure: str = ""  # why the run did not play (not placed, lost)
    drawn: threading.Event = field(default_factory=threading.Event)
    frames: int = 0  # in the window
    cpu: float = 0.0  # this student's drawing thread's CPU seconds in the window
    first: tuple | None = None  # (time, iteration) of the first frame in the window
    last: tuple | None = None


@dataclass
class Teacher:
    walls: list = field(default_factory=list)  # seconds per refresh in the window
    reads: list = field(default_factory=list)  # of which classes.gallery() (the runs' summaries, SQLite)
    cpu: float = 0.0
    json_bytes: list = field(default_factory=list)
    rows: int = 0
    failure: str = ""


# ---- processes: CPU and memory from /proc --------------------------------------------------------

def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0.0


def memory_mib(pid: int | str) -> tuple[float, float]:
    """(VmRSS, PSS) in MiB; 0 where it cannot be read."""
    rss = pss = 0.0
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next((int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS:")), 0.0)
        with open(f"/proc/{pid}/smaps_rollup") as f:
            pss = next((int(line.split()[1]) / 1024 for line in f if line.startswith("Pss:")), 0.0)
    except (OSError, ValueError):
        pass
    return rss, pss


def role(pid: int) -> str:
    """'runs' for a process that trains runs (a worker, a Ray actor), else 'other' (Ray's daemons)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "gone"
    return "runs" if "classroom.worker_process" in cmd or "RunActor" in cmd else "other"


def children_cpu() -> dict[int, float]:
    return {pid: cpu_seconds(pid) for pid in descendants(os.getpid())}


# ---- the simulated web server ----------------------------------------------------------------------

def draw_forever(student: Student, fps: float, window: Window, stop: threading.Event, offset: float) -> None:
    """What the 2D lab's live fragment does on the server, `fps` times a second (late frames are not
    made up: the next one is due a period after this one, as a fragment's run_every)."""
    period, due = 1.0 / fps, time.monotonic() + offset
    while not stop.is_set():
        if (wait := due - time.monotonic()) > 0 and stop.wait(wait):
            return
        began, cpu0 = time.monotonic(), time.thread_time()
        try:
            data = student.run.view("toy_2d")
            draw_2d(data)
            student.run.touch()
        except RunLost as exc:
            student.failure = f"lost while playing: {exc}"
            student.drawn.set()
            return
        now = time.monotonic()
        student.drawn.set()
        if window.holds(began):
            student.frames += 1
            student.cpu += time.thread_time() - cpu0
            student.first = student.first or (now, data.iteration)
            student.last = (now, data.iteration)
        due = max(due + period, now)


def teach_forever(classes: Classes, teacher: Teacher, every: float, window: Window, stop: threading.Event) -> None:
    """The console's gallery fragment, every `every` seconds."""
    size = CONSOLE[False]  # a 1440x900 screen
    due, frame = time.monotonic(), 0
    while not stop.is_set():
        if (wait := due - time.monotonic()) > 0 and stop.wait(wait):
            return
        frame += 1
        began, cpu0 = time.monotonic(), time.thread_time()
        try:
            rows = classes.gallery(TEACHER)
            read = time.monotonic() - began
            scene = gallery_scene(sort_rows(rows, "slot"), size["main"], size["gallery_h"], size["font"], frame=frame)
            sent = len(json.dumps(scene.to_data()))
        except Exception as exc:  # said in the report: a bench that hides a failure measures nothing
            teacher.failure = f"{type(exc).__name__}: {exc}"
            return
        if window.holds(began):
            teacher.walls.append(time.monotonic() - began)
            teacher.reads.append(read)
            teacher.cpu += time.thread_time() - cpu0
            teacher.json_bytes.append(sent)
            teacher.rows = len(rows)
        due = max(due + every, time.monotonic())


# ---- one class ------------------------------------------------------------------------------------

def start_ray(cpus: int) -> None:
    """A local Ray with `cpus` CPUs to schedule on (the actors reserve classroom.ray_host.CPUS_PER_RUN
    each). Started on the main thread, which lives as long as the bench (ray_host.connect explains why
    that matters), so open_run's connect() finds it running."""
    import ray

    ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False)


def open_student(student: Student, classes: Classes, code: str, config: TrainConfig, backend: str,
                 delay: float) -> None:
    time.sleep(delay)
    key = f"bench-student-{student.index}"
    classes.join(code, key, f"Student {student.index}")
    try:
        student.run = open_run(Trainer(config), kind=backend)
        student.run.play()
        classes.attach_run(key, "2D lab", student.run)
    except RunLost as exc:  # e.g. a Ray actor that found no CPU to reserve within ray_host.ANSWER_WITHIN
        student.failure = f"not placed: {exc}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def measure(args) -> dict:
    config = class_presets()[args.preset].config if args.preset else TrainConfig(target="ring8")
    web_rss0, web_pss0 = memory_mib("self")
    if args.backend == "ray":
        start_ray(args.ray_cpus)
    tmp = tempfile.TemporaryDirectory(prefix="class-load-")
    classes = Classes(ClassStore(os.path.join(tmp.name, "class.sqlite3")))
    code = classes.start_class(TEACHER, "class load bench", preset=args.preset).code
    students = [Student(i + 1) for i in range(args.students)]
    window, stop, teacher = Window(), threading.Event(), Teacher()
    threads: list[threading.Thread] = []
    opened_at = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=min(32, args.students)) as pool:  # the class opens its pages at once
            for future in [pool.submit(open_student, s, classes, code, config, args.backend, i * args.open_every)
                           for i, s in enumerate(students)]:
                future.result()
        playing = [s for s in students if s.run is not None and not s.failure]
        for i, s in enumerate(playing):
            threads.append(threading.Thread(target=draw_forever, daemon=True, name=f"student-{s.index}",
                                            args=(s, args.fps, window, stop, i / len(playing) / args.fps)))
        threads.append(threading.Thread(target=teach_forever, args=(classes, teacher, args.gallery_every, window, stop),
                                        daemon=True, name="teacher"))
        for t in threads:
            t.start()
        for s in playing:
            s.drawn.wait(timeout=120)
        ready = time.monotonic() - opened_at
        time.sleep(args.warmup)
        cpu0, child0, load0 = time.process_time(), children_cpu(), os.getloadavg()[0]
        window.start = time.monotonic()
        window.end = window.start + args.seconds
        time.sleep(args.seconds)
        cpu1, child1, load1 = time.process_time(), children_cpu(), os.getloadavg()[0]
        web_rss1, web_pss1 = memory_mib("self")
        roles = {pid: role(pid) for pid in child1}
        memory = {r: [memory_mib(pid) for pid, rr in roles.items() if rr == r] for r in ("runs", "other")}
        summary_bytes = [len(pickle.dumps(s.run.view("summary"), protocol=pickle.HIGHEST_PROTOCOL))
                         for s in playing[:3] if not s.failure]
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
        for s in students:
            if s.run is not None:
                s.run.close()
        if args.backend == "workers":
            from classroom.workers import shared_pool

            shared_pool().shutdown()
        else:
            import ray

            ray.shutdown()
        tmp.cleanup()
    drew = [s for s in playing if not s.failure and s.frames]
    frames = sum(s.frames for s in drew)
    rates = [(s.last[1] - s.first[1]) / (s.last[0] - s.first[0]) for s in drew if s.last[0] > s.first[0]]
    child_cpu = {r: sum(child1[p] - child0.get(p, 0.0) for p in child1 if roles[p] == r) for r in ("runs", "other")}
    iterations = sum(rates) * args.seconds  # the rates' frames span the window less one frame period
    return {
        "backend": args.backend if args.backend == "workers" else f"ray (num_cpus={args.ray_cpus})",
        "students": args.students, "playing": len(drew), "failures": [s.failure for s in students if s.failure],
        "teacher_failure": teacher.failure, "ready_s": ready, "load": (load0, load1), "seconds": args.seconds,
        "fps_median": statistics.median(s.frames / args.seconds for s in drew) if drew else 0.0,
        "fps_min": min((s.frames / args.seconds for s in drew), default=0.0),
        "web_ms_per_frame": 1000 * (cpu1 - cpu0) / frames if frames else float("nan"),
        "draw_ms_per_frame": 1000 * sum(s.cpu for s in drew) / frames if frames else float("nan"),
        "web_cores": (cpu1 - cpu0) / args.seconds,
        "gallery_refreshes": len(teacher.walls), "gallery_rows": teacher.rows,
        "gallery_ms_median": 1000 * statistics.median(teacher.walls) if teacher.walls else float("nan"),
        "gallery_ms_p95": 1000 * percentile(teacher.walls, 0.95) if teacher.walls else float("nan"),
        "gallery_read_ms_median": 1000 * statistics.median(teacher.reads) if teacher.reads else float("nan"),
        "gallery_cpu_percent": 100 * teacher.cpu / args.seconds,
        "thumbnail_kb": statistics.median(teacher.json_bytes) / max(1, teacher.rows) / 1000 if teacher.json_bytes
        else float("nan"),
        "summary_kb": statistics.median(summary_bytes) / 1000 if summary_bytes else float("nan"),
        "its_median": statistics.median(rates) if rates else 0.0,
        "its_min": min(rates, default=0.0), "its_max": max(rates, default=0.0),
        "run_cores": child_cpu["runs"] / args.seconds, "other_cores": child_cpu["other"] / args.seconds,
        "run_ms_per_iteration": 1000 * child_cpu["runs"] / iterations if iterations else float("nan"),
        "run_processes": len(memory["runs"]), "other_processes": len(memory["other"]),
        "web_rss_per_student": (web_rss1 - web_rss0) / max(1, len(drew)), "web_rss": web_rss1,
        "web_pss_per_student": (web_pss1 - web_pss0) / max(1, len(drew)),
        "runs_rss": sum(m[0] for m in memory["runs"]), "runs_pss": sum(m[1] for m in memory["runs"]),
        "other_rss": sum(m[0] for m in memory["other"]), "other_pss": sum(m[1] for m in memory["other"]),
    }


HEADER = ("| backend | students playing | frames/s per student (median, min) | web CPU ms / frame (all threads; "
          "drawing threads) | web CPU, cores | gallery refresh ms (median, p95; of it gallery()) | gallery CPU % of "
          "a core | gallery JSON kB / run | summary kB / read | iterations/s per student (median, min-max) | "
          "run processes: cores; CPU ms / iteration | web RSS MiB (total; + per student) | run processes RSS (PSS) "
          "MiB per student | other processes: RSS (PSS) MiB; cores | load average (start, end) |")


def table_row(r: dict) -> str:
    per = max(1, r["playing"])
    return (f"| {r['backend']} | {r['playing']} of {r['students']} | {r['fps_median']:.2f}, {r['fps_min']:.2f} | "
            f"{r['web_ms_per_frame']:.1f}; {r['draw_ms_per_frame']:.1f} | {r['web_cores']:.2f} | "
            f"{r['gallery_ms_median']:.0f}, {r['gallery_ms_p95']:.0f}; {r['gallery_read_ms_median']:.0f} | "
            f"{r['gallery_cpu_percent']:.1f} | {r['thumbnail_kb']:.1f} | {r['summary_kb']:.1f} | "
            f"{r['its_median']:.1f} ({r['its_min']:.1f}-{r['its_max']:.1f}) | "
            f"{r['run_cores']:.2f}; {r['run_ms_per_iteration']:.2f} | "
            f"{r['web_rss']:.0f}; +{r['web_rss_per_student']:.1f} | "
            f"{r['runs_rss'] / per:.0f} ({r['runs_pss'] / per:.0f}) | "
            f"{r['other_rss']:.0f} ({r['other_pss']:.0f}); {r['other_cores']:.2f} | "
            f"{r['load'][0]:.1f}, {r['load'][1]:.1f} |")


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--backend", choices=("workers", "ray"), default="workers")
    ap.add_argument("--fps", type=float, default=4.0, help="live redraws per second of each student's page")
    ap.add_argument("--seconds", type=float, default=60.0, help="the measured window")
    ap.add_argument("--warmup", type=float, default=5.0, help="seconds after every run has drawn, not counted")
    ap.add_argument("--gallery-every", type=float, default=REFRESH, help="seconds between two gallery refreshes")
    ap.add_argument("--preset", default="", choices=("", *class_presets()),
                    help="a class preset for every run (default: the 2D lab's default, ring of 8)")
    ap.add_argument("--open-every", type=float, default=0.0,
                    help="seconds between two students opening their labs (0: the whole class at once)")
    ap.add_argument("--ray-cpus", type=int, default=2, help="ray.init(num_cpus=...) for --backend ray")
    args = ap.parse_args(argv)
    if args.students < 1 or args.fps <= 0 or args.seconds <= 0 or args.gallery_every <= 0 or args.ray_cpus < 1 \
            or args.open_every < 0:
        ap.error("--students, --fps, --seconds, --gallery-every and --ray-cpus must be positive, "
                 "--open-every not negative")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    r = measure(args)
    print(f"{r['students']} students opening {args.open_every:g} s apart, {args.fps:g} frames/s each, "
          f"gallery every {args.gallery_every:g} s, {args.seconds:g} s window after {args.warmup:g} s warm-up "
          f"(all runs drawing {r['ready_s']:.0f} s after the first opened); {r['gallery_refreshes']} gallery "
          f"refreshes of {r['gallery_rows']} runs; "
          f"{r['run_processes']} run processes, {r['other_processes']} other")
    for failure in sorted(set(r["failures"])):
        print(f"- {r['failures'].count(failure)} student(s): {failure}")
    if r["teacher_failure"]:
        print(f"- the gallery failed: {r['teacher_failure']}")
    print(HEADER)
    print("|" + "---|" * HEADER.count(" |"))
    print(table_row(r))
    return 0 if r["playing"] and not r["teacher_failure"] else 1


if __name__ == "__main__":
    sys.exit(main())
