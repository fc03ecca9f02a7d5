package fileio

import "golang.org/x/sys/unix"

// writebackStep is how much a regular output writes before it asks the
// kernel to start writing it to the disk, unless Options.WritebackStep
// says otherwise (a recording, which comes slowly and whose end waits for
// the fsync, asks every 256 KiB).
const writebackStep = 4 << 20

// writeback starts the disk writes of what was written since the last
// step, without waiting for them (sync_file_range with
// SYNC_FILE_RANGE_WRITE): the disk then writes while the data still
// comes, and Commit's fsync, which makes the file safe before it takes
// the target's name, waits only for the last few MiB instead of the whole
// file (for an 8 MiB download, 6.5 ms of its 22). It is only a hint: an
// error here is left for the fsync to report.
func (o *Output) writeback() {
	step := o.opts.WritebackStep
	if step <= 0 {
		step = writebackStep
	}
	if o.n-o.queued < step {
		return
	}
	unix.SyncFileRange(int(o.f.Fd()), o.queued, o.n-o.queued, unix.SYNC_FILE_RANGE_WRITE)
	o.queued = o.n
}
