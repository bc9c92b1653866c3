package dataset

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxFileBytes bounds each file of a record read from a directory. The
// record's largest file is under 100 KB; a file a thousand times that is a
// mistake (a log, a dump, /dev/zero linked in), and reading it whole would
// take the server's memory with it.
const MaxFileBytes = 64 << 20

// regularFS is a directory of the record that reads regular files only, and
// at most MaxFileBytes of each. os.DirFS alone would open a named pipe put in
// place of a file, and wait for a writer forever: the reload and every
// later one would hang with it. A symlink is followed to what it names, as a
// Kubernetes ConfigMap volume needs.
type regularFS struct {
	fsys fs.FS
}

// Open opens name if it is a regular file. Stat first, so that a pipe or a
// device is never opened; what is opened is checked again, which leaves
// only a file swapped between the two calls unchecked before the open.
func (r regularFS) Open(name string) (fs.File, error) {
	fi, err := fs.Stat(r.fsys, name)
	if err := r.regular(name, fi, err); err != nil {
		return nil, err
	}
	f, err := r.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	fi, err = f.Stat()
	if err := r.regular(name, fi, err); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// regular checks a file's stat result: a regular file no larger than
// MaxFileBytes.
func (r regularFS) regular(name string, fi fs.FileInfo, err error) error {
	switch {
	case err != nil:
		return err
	case !fi.Mode().IsRegular():
		return &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("not a regular file (%s)", kind(fi.Mode()))}
	case fi.Size() > MaxFileBytes:
		return &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("file is %d bytes (want at most %d)", fi.Size(), MaxFileBytes)}
	}
	return nil
}

// ReadFile reads a regular file whole, refusing one that grows past
// MaxFileBytes while it is read.
func (r regularFS) ReadFile(name string) ([]byte, error) {
	f, err := r.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if len(b) > MaxFileBytes {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("file is over %d bytes", MaxFileBytes)}
	}
	return b, nil
}

// kind names a file mode's type for a message.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}

// dirFS is the record in directory dir, as DirOrigin reads it.
func dirFS(dir string) fs.FS { return regularFS{fsys: os.DirFS(dir)} }
