// The Go baseline of `audit verify --tiles` (bench/tiles.ts): Go's own golang.org/x/mod/sumdb/tlog
// verifying the same log from the same C2SP tiles over HTTP. Every level-0 hash is read through
// tlog.TileHashReader (each tile authenticated against the signed root, as Go's sumdb client
// does), every entry of every bundle is hashed (tlog.RecordHash) and compared with its tile
// hash, and the root is recomputed from the leaf hashes. The entries are not parsed (Go's
// verifier knows nothing of their JSON). Tiles are fetched as the reader asks, 1,000 leaves at a
// time, with up to `-parallel` requests at once, gzip accepted as the tile client accepts it. Prints one JSON line: entries, wall and CPU seconds.
//
// Built by the bench with Debian's golang-go and golang-golang-x-mod-dev in GOPATH mode
// (GOPATH=/usr/share/gocode GO111MODULE=off): no module download.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

type tileReader struct {
	base     string
	client   *http.Client
	parallel int
}

func (r *tileReader) Height() int { return 8 }

// sumdb names tiles tile/<H>/<L>/<N>; C2SP tlog-tiles drops the height: tile/<L>/<N>.
func c2spPath(t tlog.Tile) string {
	return "tile/" + strings.TrimPrefix(t.Path(), "tile/8/")
}

func (r *tileReader) get(path string) ([]byte, error) {
	res, err := r.client.Get(r.base + "/" + path)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		return nil, fmt.Errorf("%s: HTTP %d", path, res.StatusCode)
	}
	return io.ReadAll(res.Body)
}

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	errs := make([]error, len(tiles))
	var wg sync.WaitGroup
	sem := make(chan struct{}, r.parallel)
	for i, t := range tiles {
		wg.Add(1)
		go func(i int, t tlog.Tile) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i], errs[i] = r.get(c2spPath(t))
		}(i, t)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r *tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

func bundlePath(index int64, width int) string {
	t := tlog.Tile{H: 8, L: -1, N: index, W: width}
	return "tile/entries/" + strings.TrimPrefix(t.Path(), "tile/8/data/")
}

func parseBundle(data []byte) [][]byte {
	var out [][]byte
	for at := 0; at < len(data); {
		n := int(data[at])<<8 | int(data[at+1])
		out = append(out, data[at+2:at+2+n])
		at += 2 + n
	}
	return out
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func main() {
	base := flag.String("log", "", "the log's URL prefix (…/log)")
	size := flag.Int64("size", 0, "tree size of the checkpoint")
	rootB64 := flag.String("root", "", "its root, base64")
	parallel := flag.Int("parallel", 8, "concurrent requests")
	flag.Parse()
	rootBytes, err := base64.StdEncoding.DecodeString(*rootB64)
	if err != nil || len(rootBytes) != 32 {
		fmt.Fprintln(os.Stderr, "bad root")
		os.Exit(2)
	}
	var root tlog.Hash
	copy(root[:], rootBytes)
	started := time.Now()
	cpu0 := cpuSeconds()
	reader := &tileReader{base: *base, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *parallel, DisableCompression: false}}, parallel: *parallel}
	hashes := tlog.TileHashReader(tlog.Tree{N: *size, Hash: root}, reader)
	// The compact range: one hash per complete subtree of the leaves so far.
	var stack []tlog.Hash
	var n int64
	const page = 1000
	for start := int64(0); start < *size; start += page {
		end := start + page
		if end > *size {
			end = *size
		}
		indexes := make([]int64, 0, end-start)
		for i := start; i < end; i++ {
			indexes = append(indexes, tlog.StoredHashIndex(0, i))
		}
		leaves, err := hashes.ReadHashes(indexes)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		// The bundles of these entries (each bundle is read by the page where it starts).
		var entries [][]byte
		for b := start / 256; b*256 < end; b++ {
			width := 256
			if (b+1)*256 > *size {
				width = int(*size - b*256)
			}
			data, err := reader.get(bundlePath(b, width))
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			all := parseBundle(data)
			lo, hi := int64(0), int64(len(all))
			if b*256 < start {
				lo = start - b*256
			}
			if b*256+hi > end {
				hi = end - b*256
			}
			entries = append(entries, all[lo:hi]...)
		}
		for i, e := range entries {
			h := tlog.RecordHash(e)
			if !bytes.Equal(h[:], leaves[i][:]) {
				fmt.Fprintf(os.Stderr, "entry %d does not hash to its tile hash\n", start+int64(i))
				os.Exit(1)
			}
			stack = append(stack, h)
			for m := n; m%2 == 1; m /= 2 {
				r, l := stack[len(stack)-1], stack[len(stack)-2]
				stack = append(stack[:len(stack)-2], tlog.NodeHash(l, r))
			}
			n++
		}
	}
	computed := stack[len(stack)-1]
	for i := len(stack) - 2; i >= 0; i-- {
		computed = tlog.NodeHash(stack[i], computed)
	}
	if computed != root {
		fmt.Fprintln(os.Stderr, "root mismatch")
		os.Exit(1)
	}
	out, _ := json.Marshal(map[string]any{"entries": n, "wallSeconds": time.Since(started).Seconds(), "cpuSeconds": cpuSeconds() - cpu0})
	fmt.Println(string(out))
}
