package dashboard

import (
	"bytes"
	"compress/gzip"

	"github.com/andybalholm/brotli"

	"github.com/kforstats/kforstats/dashboard/assets"
)

// The static assets never change while the binary runs, so they are
// compressed once, at the best levels, and served as they are. Brotli's
// best level takes seconds on the ECharts bundle, far too long for a
// start-up, so `make assets` writes the compressed forms into
// assets/precompressed, named after the asset's hashed name; a file whose
// content changed has a new hash and, until they are written again, is
// compressed at start instead.

// precompressMin is the size from which an asset must ship precompressed:
// compressing smaller ones at start costs milliseconds.
const precompressMin = 64 << 10

// assetEncodings returns the gzip and brotli forms of the asset whose
// hashed name is name: the build's, or made now at the best levels.
func assetEncodings(name string, body []byte) (gz, br []byte) {
	gz, errG := assets.Precompressed.ReadFile(assets.PrecompressedDir + "/" + name + ".gz")
	br, errB := assets.Precompressed.ReadFile(assets.PrecompressedDir + "/" + name + ".br")
	if errG != nil || errB != nil {
		gz, br = compressBest(body)
	}
	return gz, br
}

// compressBest compresses at gzip's and brotli's best levels.
func compressBest(body []byte) (gz, br []byte) {
	var g bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&g, gzip.BestCompression) // the level is valid
	zw.Write(body)                                         // writing to a bytes.Buffer does not fail
	zw.Close()
	return g.Bytes(), brotliBytes(body, brotli.BestCompression)
}

// brotliBytes compresses body at quality q with a window no larger than
// body needs: brotli's default window of 4 MB makes its best level
// allocate some 30 MB even for a 2 KB file, and a Go heap that once grew
// that far stays resident.
func brotliBytes(body []byte, q int) []byte {
	lgwin := 10 // brotli's smallest window, 1 KB
	for lgwin < 24 && 1<<lgwin < len(body) {
		lgwin++
	}
	var b bytes.Buffer
	bw := brotli.NewWriterOptions(&b, brotli.WriterOptions{Quality: q, LGWin: lgwin})
	bw.Write(body) // writing to a bytes.Buffer does not fail
	bw.Close()
	return b.Bytes()
}
