package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/images"
	"github.com/kforstats/kforstats/dashboard/param"
	"github.com/kforstats/kforstats/dashboard/render"
)

type chartEntry struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Params      []string `json:"params"`
	SVG         string   `json:"svg"`
	PNG         string   `json:"png"`
}

// handleCharts lists every chart with its image URLs and parameters.
func (s *Server) handleCharts() handler {
	return func(c *gin.Context, _ param.Values) {
		specs := chart.Specs()
		list := make([]chartEntry, 0, len(specs))
		for _, sp := range specs {
			list = append(list, chartEntry{
				ID: sp.ID, Title: sp.Title, Description: sp.Description,
				Params: append(sp.Params, string(param.Width), string(param.Height), string(param.Scale)),
				SVG:    "/charts/" + sp.ID + ".svg", PNG: "/charts/" + sp.ID + ".png",
			})
		}
		docs := map[param.Name]param.Spec{}
		for _, sp := range param.Specs(images.Params) {
			docs[sp.Name] = sp
		}
		most := render.MaxPixels
		if im, err := s.images(); err == nil {
			most = im.MaxPixels()
		}
		// max_pixels: the largest PNG this server draws, which its memory
		// limit may set below the parameters' own bounds.
		c.JSON(http.StatusOK, gin.H{"charts": list, "params": docs, "max_pixels": most})
	}
}

// handleChartImage serves /charts/{id}.svg and /charts/{id}.png.
func (s *Server) handleChartImage() handler {
	return func(c *gin.Context, v param.Values) {
		file := c.Param("file")
		id, format, ok := strings.Cut(file, ".")
		if !ok || (format != images.SVG && format != images.PNG) {
			fail(c, Errorf(ENotFound, "", "no such image: %s (want /charts/ID.svg or /charts/ID.png)", file))
			return
		}
		if !images.Known(id) {
			fail(c, Errorf(ENotFound, "", "no chart %q: GET /charts lists them", id))
			return
		}
		if v.Scale != 0 && format == images.SVG {
			fail(c, Errorf(EInvalid, string(param.Scale), "applies to PNG only (an SVG scales by itself)"))
			return
		}
		im, err := s.images()
		if err != nil {
			s.cfg.Log.Error("chart images unavailable", "err", err)
			fail(c, Errorf(EInternal, "", "chart images are unavailable"))
			return
		}
		body, err := im.Draw(c.Request.Context(), s.data(), images.FromValues(id, format, v))
		if err != nil {
			s.imageFailed(c, id, format, err)
			return
		}
		ctype := "image/svg+xml"
		if format == images.PNG {
			ctype = "image/png"
		}
		c.Header("Cache-Control", "public, max-age=300")
		c.Header("Content-Disposition", fmt.Sprintf("inline; filename=%q", "kforstats-"+id+"."+format))
		c.Data(http.StatusOK, ctype, body)
	}
}

// imageFailed answers a failed render.
func (s *Server) imageFailed(c *gin.Context, id, format string, err error) {
	var size *render.SizeError
	switch {
	case errors.Is(err, render.ErrBusy):
		c.Header("Retry-After", "2")
		fail(c, Errorf(EUnavailable, "", "every chart renderer is busy; try again in a few seconds"))
	case errors.Is(err, render.ErrTimeout):
		c.Header("Retry-After", "5")
		s.cfg.Log.Warn("chart image timed out", "chart", id, "format", format)
		fail(c, Errorf(EUnavailable, "", "drawing the chart took too long; try again later"))
	case errors.As(err, &size):
		fail(c, Errorf(EInvalid, size.Param, "%s", size.Msg))
	case errors.Is(err, context.Canceled):
		c.Abort() // the client left
	default:
		s.cfg.Log.Error("chart image failed", "chart", id, "format", format, "err", err)
		fail(c, Errorf(EInternal, "", "drawing the chart failed"))
	}
}

// imageState is the Server's renderer, made on first use unless the Config
// gave one.
type imageState struct {
	once sync.Once
	im   *images.Service
	err  error
}

// images returns the Server's renderer.
func (s *Server) images() (*images.Service, error) {
	s.img.once.Do(func() {
		if s.cfg.Images != nil {
			s.img.im = s.cfg.Images
			return
		}
		s.img.im, s.img.err = images.New(images.Config{})
	})
	return s.img.im, s.img.err
}
