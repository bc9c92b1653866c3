package render

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// resvgWasm is index_bg.wasm of npm @resvg/resvg-wasm 2.6.2 (MPL-2.0, see
// resvg/NOTICE), copied by assets.sh. The Go below stands in for the
// wasm-bindgen JavaScript glue that ships beside it; the import names carry
// hashes of that exact build, so the version is pinned.
//
//go:embed resvg/resvg.wasm
var resvgWasm []byte

// memoryLimitPages caps one instance's linear memory (64 KiB pages): 512 MiB,
// above what the largest image allowed (MaxPixels) needs.
const memoryLimitPages = 8192

// retainBytes is how much linear memory an instance may hold and still go
// back to the pool. Wasm memory never shrinks: an instance that drew a very
// large image is closed rather than kept, so a warm pool stays small.
const retainBytes = 96 << 20

// defaultCache is the compilation cache shared by every Renderer in the
// process that is not given a directory: compiling the 2.4 MB module takes
// over a second, so it is done once.
var defaultCache = wazero.NewCompilationCache()

// rasterizer is the compiled resvg module, from which instances are made.
type rasterizer struct {
	rt       wazero.Runtime
	compiled wazero.CompiledModule
}

// newRasterizer compiles resvg, through the on-disk cache in cacheDir when
// one is given. A cache that cannot be used (a read-only or full disk, a
// damaged file) must not stop images: it falls back to the in-memory one.
func newRasterizer(ctx context.Context, cacheDir string) (*rasterizer, error) {
	if cacheDir != "" {
		if c, err := wazero.NewCompilationCacheWithDir(cacheDir); err == nil {
			if r, err := compileResvg(ctx, c); err == nil {
				return r, nil
			}
		}
	}
	return compileResvg(ctx, defaultCache)
}

func compileResvg(ctx context.Context, cache wazero.CompilationCache) (*rasterizer, error) {
	cfg := wazero.NewRuntimeConfig().
		WithCompilationCache(cache).
		WithMemoryLimitPages(memoryLimitPages)
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	if err := exportGlue(ctx, rt); err != nil {
		rt.Close(ctx)
		return nil, err
	}
	compiled, err := rt.CompileModule(ctx, resvgWasm)
	if err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("compile resvg.wasm: %w", err)
	}
	return &rasterizer{rt: rt, compiled: compiled}, nil
}

func (r *rasterizer) close(ctx context.Context) error { return r.rt.Close(ctx) }

// resvgOptions is resvg-wasm's ResvgRenderOptions. Fonts go separately, as
// a list of buffers: a fontBuffers key in this JSON, even null, makes
// resvg ignore every option.
type resvgOptions struct {
	FitTo      fitTo      `json:"fitTo"`
	Font       fontConfig `json:"font"`
	Background string     `json:"background,omitempty"`
}

type fitTo struct {
	Mode  string  `json:"mode"`
	Value float64 `json:"value"`
}

type fontConfig struct {
	LoadSystemFonts   bool   `json:"loadSystemFonts"`
	DefaultFontFamily string `json:"defaultFontFamily"`
	SansSerifFamily   string `json:"sansSerifFamily"`
	SerifFamily       string `json:"serifFamily"`
	MonospaceFamily   string `json:"monospaceFamily"`
}

// wasmInstance is one instance of resvg; not safe for concurrent use.
type wasmInstance struct {
	mod  api.Module
	heap jsHeap
	fn   map[string]api.Function
}

var wasmExports = []string{
	"__wbindgen_add_to_stack_pointer", "__wbindgen_malloc", "__wbindgen_realloc", "__wbindgen_free",
	"resvg_new", "resvg_render", "__wbg_resvg_free", "__wbg_renderedimage_free",
	"renderedimage_width", "renderedimage_height", "renderedimage_pixels",
}

func (r *rasterizer) instance(ctx context.Context) (*wasmInstance, error) {
	mod, err := r.rt.InstantiateModule(ctx, r.compiled, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		return nil, fmt.Errorf("instantiate resvg.wasm: %w", err)
	}
	w := &wasmInstance{mod: mod, heap: newJSHeap(), fn: map[string]api.Function{}}
	for _, name := range wasmExports {
		f := mod.ExportedFunction(name)
		if f == nil {
			mod.Close(ctx)
			return nil, fmt.Errorf("resvg.wasm exports no %s: is it @resvg/resvg-wasm 2.6.2?", name)
		}
		w.fn[name] = f
	}
	return w, nil
}

func (w *wasmInstance) close(ctx context.Context) { w.mod.Close(ctx) }

// reusable reports whether the instance may go back to the pool.
func (w *wasmInstance) reusable() bool {
	return !w.mod.IsClosed() && w.mod.Memory().Size() <= retainBytes
}

type heapKey struct{}

func (w *wasmInstance) call(ctx context.Context, name string, args ...uint64) (uint64, error) {
	res, err := w.fn[name].Call(context.WithValue(ctx, heapKey{}, &w.heap), args...)
	if err != nil {
		return 0, fmt.Errorf("resvg %s: %w", name, err)
	}
	if len(res) == 0 {
		return 0, nil
	}
	return res[0], nil
}

// png rasterises svg at scale times its size, with the embedded fonts. It
// follows what the wasm-bindgen glue of Resvg's constructor, render() and
// asPng() does: arguments through the object heap, results through a
// 16-byte return area on the shadow stack.
func (w *wasmInstance) png(ctx context.Context, svg []byte, scale float64, background string, fonts *fontSet) (out []byte, err error) {
	opts, err := json.Marshal(resvgOptions{
		FitTo: fitTo{Mode: "zoom", Value: scale},
		Font: fontConfig{
			DefaultFontFamily: "Liberation Sans", SansSerifFamily: "Liberation Sans",
			SerifFamily: "Liberation Sans", MonospaceFamily: "Liberation Sans",
		},
		Background: background,
	})
	if err != nil {
		return nil, err
	}
	sp, err := w.call(ctx, "__wbindgen_add_to_stack_pointer", i32(-16))
	if err != nil {
		return nil, err
	}
	ret := uint32(sp)
	defer func() {
		if _, e := w.call(ctx, "__wbindgen_add_to_stack_pointer", 16); e != nil && err == nil {
			err = e
		}
	}()

	optPtr, err := w.passBytes(ctx, opts)
	if err != nil {
		return nil, err
	}
	fontList := &jsArray{}
	for _, f := range fonts.raw {
		fontList.items = append(fontList.items, f)
	}
	svgIdx, fontIdx := w.heap.add(svg), w.heap.add(fontList)
	if _, err := w.call(ctx, "resvg_new", uint64(ret), uint64(svgIdx), uint64(optPtr), uint64(len(opts)), uint64(fontIdx)); err != nil {
		return nil, err
	}
	resvg, err := w.result(ret)
	if err != nil {
		return nil, fmt.Errorf("parse svg: %w", err)
	}
	defer w.call(ctx, "__wbg_resvg_free", uint64(resvg)) //nolint:errcheck // freeing; a failure closes the instance

	if _, err := w.call(ctx, "resvg_render", uint64(ret), uint64(resvg)); err != nil {
		return nil, err
	}
	img, err := w.result(ret)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	defer w.call(ctx, "__wbg_renderedimage_free", uint64(img)) //nolint:errcheck // as above

	// The pixels, encoded here rather than by resvg's asPng: Go's encoder
	// at BestSpeed takes a third of the time and writes a quarter fewer
	// bytes (185 KB against 140 KB for the strength chart at 2x).
	wd, err := w.call(ctx, "renderedimage_width", uint64(img))
	if err != nil {
		return nil, err
	}
	ht, err := w.call(ctx, "renderedimage_height", uint64(img))
	if err != nil {
		return nil, err
	}
	idx, err := w.call(ctx, "renderedimage_pixels", uint64(img))
	if err != nil {
		return nil, err
	}
	pix, ok := w.heap.take(uint32(idx)).([]byte)
	if !ok || len(pix) != int(wd)*int(ht)*4 {
		return nil, fmt.Errorf("resvg returned %d bytes of pixels for %dx%d", len(pix), wd, ht)
	}
	// tiny-skia's pixels are RGBA with premultiplied alpha, as image.RGBA.
	rgba := &image.RGBA{Pix: pix, Stride: int(wd) * 4, Rect: image.Rect(0, 0, int(wd), int(ht))}
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, rgba); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// pngEncoder encodes fast, reusing its buffers across images.
var pngEncoder = &png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &encoderPool{}}

type encoderPool struct{ p sync.Pool }

func (e *encoderPool) Get() *png.EncoderBuffer {
	b, _ := e.p.Get().(*png.EncoderBuffer)
	return b
}

func (e *encoderPool) Put(b *png.EncoderBuffer) { e.p.Put(b) }

// result reads the return area (value, error object, is-error) that
// wasm-bindgen's fallible functions fill.
func (w *wasmInstance) result(ret uint32) (uint32, error) {
	b, ok := w.mod.Memory().Read(ret, 12)
	if !ok {
		return 0, errors.New("return area out of range")
	}
	r0, r1, r2 := binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint32(b[8:])
	if r2 != 0 {
		if e, ok := w.heap.take(r1).(jsErrorValue); ok {
			return 0, errors.New(string(e))
		}
		return 0, errors.New("resvg failed")
	}
	return r0, nil
}

// passBytes copies b into memory the module allocates, as
// passStringToWasm0 does.
func (w *wasmInstance) passBytes(ctx context.Context, b []byte) (uint32, error) {
	p, err := w.call(ctx, "__wbindgen_malloc", uint64(len(b)), 1)
	if err != nil {
		return 0, err
	}
	if !w.mod.Memory().Write(uint32(p), b) {
		return 0, errors.New("malloc returned memory out of range")
	}
	return uint32(p), nil
}

func i32(v int32) uint64 { return uint64(uint32(v)) }

// The JS values the glue passes to and from the module by heap index.
type (
	jsUndefined struct{}
	jsNull      struct{}
	jsMemory    struct{}                // wasm.memory
	jsBuffer    struct{}                // wasm.memory.buffer
	jsView      struct{ off, n uint32 } // a Uint8Array over wasm memory
	jsArray     struct{ items []any }
	jsIterator  struct {
		a *jsArray
		i int
	}
	jsIterResult struct {
		done  bool
		value any
	}
	jsErrorValue string
	jsFree       uint32 // a free heap slot: the index of the next free one
)

// jsHeap is wasm-bindgen's object table: indices below 132 are reserved,
// 128-131 hold undefined, null, true and false, and freed slots form a
// list through heapNext.
type jsHeap struct {
	slots []any
	next  uint32
}

const heapReserved = 132

func newJSHeap() jsHeap {
	h := jsHeap{slots: make([]any, 128, 256)}
	for i := range h.slots {
		h.slots[i] = jsUndefined{}
	}
	h.slots = append(h.slots, jsUndefined{}, jsNull{}, true, false)
	h.next = uint32(len(h.slots))
	return h
}

func (h *jsHeap) add(v any) uint32 {
	if int(h.next) == len(h.slots) {
		h.slots = append(h.slots, jsFree(len(h.slots)+1))
	}
	idx := h.next
	h.next = uint32(h.slots[idx].(jsFree))
	h.slots[idx] = v
	return idx
}

func (h *jsHeap) get(idx uint32) any {
	if int(idx) >= len(h.slots) {
		return jsUndefined{}
	}
	return h.slots[idx]
}

func (h *jsHeap) drop(idx uint32) {
	if idx < heapReserved || int(idx) >= len(h.slots) {
		return
	}
	h.slots[idx] = jsFree(h.next)
	h.next = idx
}

func (h *jsHeap) take(idx uint32) any {
	v := h.get(idx)
	h.drop(idx)
	return v
}

// bytesOf returns the contents of a Uint8Array value.
func bytesOf(mod api.Module, v any) ([]byte, bool) {
	switch v := v.(type) {
	case []byte:
		return v, true
	case jsView:
		return mod.Memory().Read(v.off, v.n)
	}
	return nil, false
}

// exportGlue defines the "wbg" host module: the imports resvg.wasm 2.6.2
// expects, each doing what its namesake in the JS glue does.
func exportGlue(ctx context.Context, rt wazero.Runtime) error {
	heapOf := func(ctx context.Context) *jsHeap { return ctx.Value(heapKey{}).(*jsHeap) }
	str := func(mod api.Module, p, n uint64) string {
		b, _ := mod.Memory().Read(uint32(p), uint32(n))
		return string(b)
	}
	i := api.ValueTypeI32
	b := rt.NewHostModuleBuilder("wbg")
	def := func(name string, params, results int, fn func(ctx context.Context, mod api.Module, h *jsHeap, s []uint64)) {
		ps, rs := make([]api.ValueType, params), make([]api.ValueType, results)
		for k := range ps {
			ps[k] = i
		}
		for k := range rs {
			rs[k] = i
		}
		b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, s []uint64) {
			fn(ctx, mod, heapOf(ctx), s)
		}), ps, rs).Export(name)
	}
	bool32 := func(v bool) uint64 {
		if v {
			return 1
		}
		return 0
	}
	def("__wbg_new_28c511d9baebfa89", 2, 1, func(_ context.Context, mod api.Module, h *jsHeap, s []uint64) {
		s[0] = uint64(h.add(jsErrorValue(str(mod, s[0], s[1]))))
	})
	def("__wbindgen_memory", 0, 1, func(_ context.Context, _ api.Module, h *jsHeap, s []uint64) {
		s[0] = uint64(h.add(jsMemory{}))
	})
	def("__wbg_buffer_12d079cc21e14bdb", 1, 1, func(_ context.Context, _ api.Module, h *jsHeap, s []uint64) {
		s[0] = uint64(h.add(jsBuffer{}))
	})
	def("__wbg_newwithbyteoffsetandlength_aa4a17c33a06e5cb", 3, 1, func(_ context.Context, _ api.Module, h *jsHeap, s []uint64) {
		s[0] = uint64(h.add(jsView{off: uint32(s[1]), n: uint32(s[2])}))
	})
	def("__wbindgen_object_drop_ref", 1, 0, func(_ context.Context, _ api.Module, h *jsHeap, s []uint64) {
		h.drop(uint32(s[0]))
	})
	def("__wbg_new_63b92bc8671ed464", 1, 1, func(_ context.Context, mod api.Module, h *jsHeap, s []uint64) {
		// new Uint8Array(x): a view of all memory when x is its buffer,
		// a copy when x is another array.
		v := h.get(uint32(s[0]))
		if _, ok := v.(jsBuffer); ok {
			s[0] = uint64(h.add(jsView{off: 0, n: mod.Memory().Size()}))
			return
		}
		src, _ := bytesOf(mod, v)
		s[0] = uint64(h.add(append([]byte(nil), src...)))
	})
	def("__wbg_values_839f3396d5aac002", 1, 1, func(_ context.Context, _ api.Module, h *jsHeap, s []uint64) {
		a, _ := h.get(uint32(s[0])).(*jsArray)
		if a == nil {
			a = &jsArray{}
		}
		s[0] = uint64(h.add(&jsIterator{a: a}))
	})
	def("__wbg_next_196c84450b364254", 1, 1, func(_ context.Context, _ api.Module, h *jsHeap, s []uint64) {
		it, _ := h.get(uint32(s[0])).(*jsIterator)
		if it == nil || it.i >= len(it.a.items) {
			s[0] = uint64(h.add(jsIterResult{done: true, value: jsUndefined{}}))
			return
		}
		v := it.a.items[it.i]
		it.i++
		s[0] = uint64(h.add(jsIterResult{value: v}))
	})
	def("__wbg_done_298b57d23c0fc80c", 1, 1, func(_ context.Context, _ api.Module, h *jsHeap, s []uint64) {
		r, _ := h.get(uint32(s[0])).(jsIterResult)
		s[0] = bool32(r.done)
	})
	def("__wbg_value_d93c65011f51a456", 1, 1, func(_ context.Context, _ api.Module, h *jsHeap, s []uint64) {
		r, _ := h.get(uint32(s[0])).(jsIterResult)
		if r.value == nil {
			r.value = jsUndefined{}
		}
		s[0] = uint64(h.add(r.value))
	})
	def("__wbg_instanceof_Uint8Array_2b3bbecd033d19f6", 1, 1, func(_ context.Context, _ api.Module, h *jsHeap, s []uint64) {
		switch h.get(uint32(s[0])).(type) {
		case []byte, jsView:
			s[0] = 1
		default:
			s[0] = 0
		}
	})
	def("__wbindgen_string_get", 2, 0, func(ctx context.Context, mod api.Module, h *jsHeap, s []uint64) {
		ret := uint32(s[0])
		var p, n uint32
		if v, ok := h.get(uint32(s[1])).(string); ok && v != "" {
			malloc := mod.ExportedFunction("__wbindgen_malloc")
			res, err := malloc.Call(ctx, uint64(len(v)), 1)
			if err != nil {
				panic(err)
			}
			p, n = uint32(res[0]), uint32(len(v))
			mod.Memory().WriteString(p, v)
		}
		mod.Memory().WriteUint32Le(ret, p)
		mod.Memory().WriteUint32Le(ret+4, n)
	})
	def("__wbg_new_16b304a2cfa7ff4a", 0, 1, func(_ context.Context, _ api.Module, h *jsHeap, s []uint64) {
		s[0] = uint64(h.add(&jsArray{}))
	})
	def("__wbindgen_string_new", 2, 1, func(_ context.Context, mod api.Module, h *jsHeap, s []uint64) {
		s[0] = uint64(h.add(str(mod, s[0], s[1])))
	})
	def("__wbg_push_a5b05aedc7234f9f", 2, 1, func(_ context.Context, _ api.Module, h *jsHeap, s []uint64) {
		a, _ := h.get(uint32(s[0])).(*jsArray)
		if a == nil {
			panic("push on a value that is not an array")
		}
		a.items = append(a.items, h.get(uint32(s[1])))
		s[0] = uint64(len(a.items))
	})
	def("__wbg_length_c20a40f15020d68a", 1, 1, func(_ context.Context, mod api.Module, h *jsHeap, s []uint64) {
		b, _ := bytesOf(mod, h.get(uint32(s[0])))
		s[0] = uint64(len(b))
	})
	def("__wbg_set_a47bac70306a19a7", 3, 0, func(_ context.Context, mod api.Module, h *jsHeap, s []uint64) {
		dst, ok := h.get(uint32(s[0])).(jsView)
		src, ok2 := bytesOf(mod, h.get(uint32(s[1])))
		off := uint32(s[2])
		if !ok || !ok2 || uint64(off)+uint64(len(src)) > uint64(dst.n) {
			panic("Uint8Array.set out of range")
		}
		if !mod.Memory().Write(dst.off+off, src) {
			panic("Uint8Array.set outside memory")
		}
	})
	def("__wbindgen_throw", 2, 0, func(_ context.Context, mod api.Module, _ *jsHeap, s []uint64) {
		panic(errors.New(str(mod, s[0], s[1])))
	})
	_, err := b.Instantiate(ctx)
	return err
}
