package render

import (
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"
)

var (
	//go:embed prelude.js
	preludeJS string
	// decorateJS adds the title, the source line and the background to an
	// option before it is drawn (it defines globalThis.__kforDecorate(option,
	// theme, {title, footer})); the browser comparison test serves it so that
	// Chromium draws the same option.
	//go:embed decorate.js
	decorateJS string
	//go:embed harness.js
	harnessJS string
)

// programs are the scripts every JS runtime runs at start, compiled once
// per Renderer.
type programs struct {
	prelude, echarts, decorate, harness *goja.Program
}

func compilePrograms(echarts []byte) (*programs, error) {
	var p programs
	for _, s := range []struct {
		dst       **goja.Program
		name, src string
	}{
		{&p.prelude, "prelude.js", preludeJS},
		{&p.echarts, "echarts.min.js", string(echarts)},
		{&p.decorate, "decorate.js", decorateJS},
		{&p.harness, "harness.js", harnessJS},
	} {
		prog, err := goja.Compile(s.name, s.src, false)
		if err != nil {
			return nil, fmt.Errorf("compile %s: %w", s.name, err)
		}
		*s.dst = prog
	}
	return &p, nil
}

// jsRuntime is one JS engine with ECharts loaded. It is not safe for
// concurrent use: the pool hands each to one render at a time.
type jsRuntime struct {
	vm     *goja.Runtime
	render goja.Callable
	// registerMap is echarts.registerMap, looked up once: the bundle's
	// exports are getters, and a getter called from Go while the deadline
	// strikes panicked (goja raises an interrupt as a panic outside a
	// call), taking the whole server down.
	registerMap goja.Callable
	measure     measurer
	// maps are the map outlines registered with this runtime's ECharts,
	// each once, on the first chart that needs it.
	maps map[string]bool
}

func newJSRuntime(p *programs, fonts *fontSet) (*jsRuntime, error) {
	rt := &jsRuntime{vm: goja.New(), measure: measurer{fonts: fonts}, maps: map[string]bool{}}
	if err := rt.vm.Set("__kforMeasure", rt.measure.width); err != nil {
		return nil, err
	}
	for i, prog := range []*goja.Program{p.prelude, p.echarts, p.decorate, p.harness} {
		if _, err := rt.vm.RunProgram(prog); err != nil {
			return nil, fmt.Errorf("run %s: %w", [...]string{"prelude.js", "echarts.min.js", "decorate.js", "harness.js"}[i], err)
		}
	}
	if rt.vm.Get("echarts") == nil {
		return nil, errors.New("echarts.min.js did not define globalThis.echarts")
	}
	fn, ok := goja.AssertFunction(rt.vm.Get("__kforRender"))
	if !ok {
		return nil, errors.New("harness.js did not define __kforRender")
	}
	rt.render = fn
	reg, ok := goja.AssertFunction(rt.vm.Get("echarts").ToObject(rt.vm).Get("registerMap"))
	if !ok {
		return nil, errors.New("echarts.registerMap is not a function")
	}
	rt.registerMap = reg
	return rt, nil
}

// errInterrupted is what a render stopped by its deadline returns (wrapped).
var errInterrupted = errors.New("interrupted")

// svg draws c, interrupting the script at deadline. It reports whether
// the runtime may be used again: not when the deadline struck (ECharts may
// have been left half way through an update, and the interrupt flag may be
// set), so the pool throws that runtime away.
func (rt *jsRuntime) svg(c *Chart, maps map[string][]byte, deadline time.Time) (svg string, reusable bool, err error) {
	timer := time.AfterFunc(time.Until(deadline), func() { rt.vm.Interrupt(errInterrupted) })
	defer interrupted(&err)
	svg, err = rt.draw(c, maps)
	return svg, timer.Stop(), err
}

// interrupted turns an interrupt that goja raised as a panic (it does so
// where Go, not a script, touches the runtime: a getter read from Go)
// into errInterrupted; any other panic goes on. It must be deferred.
func interrupted(err *error) {
	if r := recover(); r != nil {
		ie, ok := r.(*goja.InterruptedError)
		if !ok {
			panic(r)
		}
		*err = jsError(ie)
	}
}

// registerMaps registers the map outlines c draws on that this runtime
// has not registered yet.
func (rt *jsRuntime) registerMaps(c *Chart, maps map[string][]byte) error {
	for _, name := range c.Maps {
		if rt.maps[name] {
			continue
		}
		geo, ok := maps[name]
		if !ok {
			return fmt.Errorf("%w: no map outline %q", ErrInvalid, name)
		}
		obj, err := rt.vm.RunScript("geo-"+name+".json", "("+string(geo)+")")
		if err != nil {
			return fmt.Errorf("map outline %q: %w", name, jsError(err))
		}
		if _, err := rt.registerMap(goja.Undefined(), rt.vm.ToValue(name), obj); err != nil {
			return fmt.Errorf("register map %q: %w", name, jsError(err))
		}
		rt.maps[name] = true
	}
	return nil
}

func (rt *jsRuntime) draw(c *Chart, maps map[string][]byte) (string, error) {
	if err := rt.registerMaps(c, maps); err != nil {
		return "", err
	}
	opt, err := rt.vm.RunScript("option.js", "(\n"+c.Option+"\n)")
	if err != nil {
		return "", fmt.Errorf("evaluate option: %w", jsError(err))
	}
	if o, ok := opt.(*goja.Object); !ok || o.ClassName() != "Object" {
		return "", fmt.Errorf("evaluate option: got %s, want an object", opt)
	}
	prov := rt.vm.NewObject()
	_ = prov.Set("title", c.Title)
	_ = prov.Set("footer", c.Footer)
	_ = prov.Set("page", c.Page)
	locale := goja.Undefined()
	if c.Locale != "" {
		if locale, err = rt.vm.RunScript("locale.json", "("+c.Locale+")"); err != nil {
			return "", fmt.Errorf("%w: locale: %w", ErrInvalid, jsError(err))
		}
	}
	out, err := rt.render(goja.Undefined(), opt, rt.vm.ToValue(c.Theme), rt.vm.ToValue(c.Width), rt.vm.ToValue(c.Height), prov, locale)
	if err != nil {
		return "", fmt.Errorf("draw: %w", jsError(err))
	}
	return namedIDs(out.String(), c.ID), nil
}

// zrID is the prefix ECharts (zrender) gives the ids and classes of one
// drawing: zr, the number of the chart in its runtime, a dash.
var zrID = regexp.MustCompile(`\bzr[0-9]+-`)

// namedIDs gives the ids and classes of one drawing the prefix
// "kfor-ID-" in place of zrender's, which counts the charts drawn in
// its runtime: so the same chart is the same SVG whichever runtime drew
// it, and charts inlined in one HTML page (where an SVG's ids and the
// classes of its style element are the page's) cannot take each other's
// patterns and clip paths.
func namedIDs(svg, id string) string {
	first := zrID.FindString(svg)
	if first == "" {
		return svg
	}
	if id == "" {
		id = "chart"
	}
	// Its classes are numbered across the runtime's drawings: number them
	// again, in the order they first appear.
	classes := map[string]string{}
	svg = zrClass.ReplaceAllStringFunc(svg, func(c string) string {
		if !strings.HasPrefix(c, first) {
			return c
		}
		n, ok := classes[c]
		if !ok {
			n = strconv.Itoa(len(classes))
			classes[c] = n
		}
		return first + "cls-" + n
	})
	return strings.ReplaceAll(svg, first, "kfor-"+id+"-")
}

// zrClass is a class of a drawing: zr, the chart's number, -cls-, the
// class's number in the runtime.
var zrClass = regexp.MustCompile(`\bzr[0-9]+-cls-[0-9]+\b`)

// jsError maps an interrupt to errInterrupted and keeps a script error's
// message and JS stack.
func jsError(err error) error {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		return errInterrupted
	}
	return err
}
