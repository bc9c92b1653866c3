package systemtest

// Checks of the files in deploy/, each by the code of the tool that reads
// them: the Kubernetes manifests rendered by the kustomize CLI and decoded
// strictly into the Kubernetes API types, compose.yaml loaded by compose-go
// (the loader of `docker compose`), the Dockerfile linted by BuildKit's own
// rules (`docker build --check`), and the systemd unit verified by
// systemd-analyze. The flags the files give kforstats are checked against the
// built binary.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
	composetypes "github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerui"
	digest "github.com/opencontainers/go-digest"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/kforstats/kforstats/cmd/kforstats/kforstatstest"
	"github.com/kforstats/kforstats/dataset"
)

// kustomize is the pinned kustomize CLI, run through the Go module proxy.
const kustomize = "sigs.k8s.io/kustomize/kustomize/v5@v5.8.1"

// The Dockerfile --------------------------------------------------------

// dockerfile is deploy/Dockerfile parsed by BuildKit.
type dockerfile struct {
	stages   []instructions.Stage
	metaArgs map[string]string // ARGs before the first FROM, with their defaults
}

func parseDockerfile(tb testing.TB) dockerfile {
	tb.Helper()
	res, err := parser.Parse(bytes.NewReader(kforstatstest.ReadRepoFile(tb, "deploy", "Dockerfile")))
	if err != nil {
		tb.Fatalf("parse deploy/Dockerfile: %v", err)
	}
	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	if err != nil {
		tb.Fatalf("parse deploy/Dockerfile: %v", err)
	}
	d := dockerfile{stages: stages, metaArgs: map[string]string{}}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			d.metaArgs[kv.Key] = kv.ValueString()
		}
	}
	return d
}

// baseImage is a stage's FROM with the meta ARGs' defaults put in.
func (d dockerfile) baseImage(st instructions.Stage) string {
	return os.Expand(st.BaseName, func(k string) string { return d.metaArgs[k] })
}

func (d dockerfile) stage(tb testing.TB, name string) instructions.Stage {
	tb.Helper()
	for _, st := range d.stages {
		if st.Name == name {
			return st
		}
	}
	tb.Fatalf("deploy/Dockerfile has no stage %q", name)
	return instructions.Stage{}
}

// runtime is the default target: the last stage.
func (d dockerfile) runtime() instructions.Stage { return d.stages[len(d.stages)-1] }

func commandsOf[T instructions.Command](st instructions.Stage) []T {
	var out []T
	for _, c := range st.Commands {
		if t, ok := c.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

// offlineResolver answers BuildKit's image lookups without a registry, with
// a minimal Linux image config for the platform asked, and records the refs.
// BuildKit resolves the stages' images concurrently.
type offlineResolver struct {
	mu   sync.Mutex
	refs []string
}

func (r *offlineResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	r.mu.Lock()
	r.refs = append(r.refs, ref)
	r.mu.Unlock()
	arch, osname := "amd64", "linux"
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		arch, osname = opt.ImageOpt.Platform.Architecture, opt.ImageOpt.Platform.OS
	}
	cfg, err := json.Marshal(map[string]any{
		"architecture": arch,
		"os":           osname,
		"config":       map[string]any{},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + strings.Repeat("0", 64)}},
	})
	return ref, "", cfg, err
}

// TestDockerfileLint runs the checks of `docker build --check` (BuildKit's
// Dockerfile linter, every rule, every stage) and wants no warning.
func TestDockerfileLint(t *testing.T) {
	src := kforstatstest.ReadRepoFile(t, "deploy", "Dockerfile")
	resolver := &offlineResolver{}
	res, err := dockerfile2llb.DockerfileLint(context.Background(), src, dockerfile2llb.ConvertOpt{
		Config:       dockerui.Config{},
		SourceMap:    &llb.SourceMap{Definition: &llb.Definition{}, Filename: "deploy/Dockerfile", Language: "Dockerfile", Data: src},
		MetaResolver: resolver,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Error != nil {
		t.Errorf("docker build --check: deploy/Dockerfile: %s (line %v)", res.Error.Message, res.Error.Location.Ranges)
	}
	for _, w := range res.Warnings {
		t.Errorf("docker build --check: deploy/Dockerfile: %s: %s (%s)", w.RuleName, w.Detail, w.URL)
	}
	d := parseDockerfile(t)
	var want []string
	for _, st := range d.stages {
		if !slices.ContainsFunc(d.stages, func(s instructions.Stage) bool { return s.Name == st.BaseName }) {
			ref, err := reference.ParseNormalizedNamed(d.baseImage(st))
			if err != nil {
				t.Fatalf("stage %q: FROM %s: %v", st.Name, st.BaseName, err)
			}
			want = append(want, ref.String())
		}
	}
	slices.Sort(resolver.refs)
	slices.Sort(want)
	if diff := cmp.Diff(want, resolver.refs); diff != "" {
		t.Errorf("base images the linter looked up (-want +got):\n%s", diff)
	}
}

// TestDockerfile checks what the image promises its users: pinned bases, a
// non-root numeric user, a health check the image can run, OCI labels and a
// command line the binary accepts.
func TestDockerfile(t *testing.T) {
	d := parseDockerfile(t)
	rt := d.runtime()

	t.Run("base images pinned", func(t *testing.T) {
		for _, st := range d.stages {
			img := d.baseImage(st)
			if slices.ContainsFunc(d.stages, func(s instructions.Stage) bool { return s.Name == img }) {
				continue
			}
			name, tag, ok := strings.Cut(img[strings.LastIndex(img, "/")+1:], ":")
			if !ok || tag == "" || tag == "latest" || strings.Contains(img, "${") {
				t.Errorf("stage %q: FROM %s: want an image pinned to a release tag, got %q:%q", st.Name, st.BaseName, name, tag)
			}
		}
	})

	t.Run("Go image at least go.mod's go version", func(t *testing.T) {
		gomod := kforstatstest.ReadRepoFile(t, "go.mod")
		m := regexp.MustCompile(`(?m)^go (\S+)`).FindSubmatch(gomod)
		if m == nil {
			t.Fatal("go.mod has no go line")
		}
		img := d.baseImage(d.stage(t, "build"))
		tag := regexp.MustCompile(`^golang:(\d+\.\d+\.\d+)`).FindStringSubmatch(img)
		if tag == nil {
			t.Fatalf("build stage FROM %s: want golang:X.Y.Z", img)
		}
		if versionLess(tag[1], string(m[1])) {
			t.Errorf("build stage uses Go %s, go.mod needs %s: the build would try to download a toolchain", tag[1], m[1])
		}
	})

	t.Run("no ADD", func(t *testing.T) {
		for _, st := range d.stages {
			for _, a := range commandsOf[*instructions.AddCommand](st) {
				t.Errorf("stage %q: %s: use COPY; ADD fetches URLs and unpacks archives", st.Name, a.String())
			}
		}
	})

	t.Run("runs as a numeric non-root user", func(t *testing.T) {
		uid, gid := imageUser(t, d)
		if uid == 0 || gid == 0 {
			t.Errorf("USER %d:%d: want neither root", uid, gid)
		}
	})

	t.Run("health check runs the binary's healthcheck", func(t *testing.T) {
		hc := commandsOf[*instructions.HealthCheckCommand](rt)
		if len(hc) != 1 {
			t.Fatalf("runtime stage has %d HEALTHCHECKs, want 1", len(hc))
		}
		test := hc[0].Health.Test
		ep := entrypoint(t, d)
		if len(test) < 3 || test[0] != "CMD" || test[1] != ep[0] || test[2] != "healthcheck" {
			t.Fatalf("HEALTHCHECK %q: want exec form [CMD %s healthcheck ...]: the image has no shell", test, ep[0])
		}
		checkFlags(t, "HEALTHCHECK", test[2:])
		if hc[0].Health.Timeout <= 0 || hc[0].Health.Interval <= 0 {
			t.Errorf("HEALTHCHECK without --interval and --timeout")
		}
	})

	t.Run("entrypoint and command", func(t *testing.T) {
		args := append(entrypoint(t, d)[1:], imageCmd(t, d)...)
		checkFlags(t, "ENTRYPOINT+CMD", args)
		if !slices.Contains(args, "--web.listen-address=:8080") {
			t.Errorf("CMD %q: want --web.listen-address=:8080, the port EXPOSEd and checked", args)
		}
	})

	t.Run("OCI labels", func(t *testing.T) {
		got := map[string]bool{}
		for _, l := range commandsOf[*instructions.LabelCommand](rt) {
			for _, kv := range l.Labels {
				got[kv.Key] = true
			}
		}
		for _, k := range []string{"title", "description", "source", "version", "revision", "created"} {
			if !got["org.opencontainers.image."+k] {
				t.Errorf("runtime stage lacks LABEL org.opencontainers.image.%s", k)
			}
		}
	})
}

// versionLess reports whether dotted version a is older than b.
func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		var x, y int
		if i < len(pa) {
			fmt.Sscan(pa[i], &x)
		}
		if i < len(pb) {
			fmt.Sscan(pb[i], &y)
		}
		if x != y {
			return x < y
		}
	}
	return false
}

// imageUser is the runtime stage's USER, which must be numeric uid:gid.
func imageUser(tb testing.TB, d dockerfile) (uid, gid int) {
	tb.Helper()
	users := commandsOf[*instructions.UserCommand](d.runtime())
	if len(users) == 0 {
		tb.Fatal("runtime stage has no USER: it would run as root")
	}
	u := users[len(users)-1].User
	if _, err := fmt.Sscanf(u, "%d:%d", &uid, &gid); err != nil {
		tb.Fatalf("USER %s: want numeric uid:gid, so that Kubernetes' runAsNonRoot can check it", u)
	}
	return uid, gid
}

func entrypoint(tb testing.TB, d dockerfile) []string {
	tb.Helper()
	eps := commandsOf[*instructions.EntrypointCommand](d.runtime())
	if len(eps) == 0 || eps[len(eps)-1].PrependShell {
		tb.Fatal("runtime stage needs an exec-form ENTRYPOINT: the image has no shell")
	}
	return eps[len(eps)-1].CmdLine
}

func imageCmd(tb testing.TB, d dockerfile) []string {
	tb.Helper()
	cmds := commandsOf[*instructions.CmdCommand](d.runtime())
	if len(cmds) == 0 || cmds[len(cmds)-1].PrependShell {
		tb.Fatal("runtime stage needs an exec-form CMD")
	}
	return cmds[len(cmds)-1].CmdLine
}

// Kubernetes --------------------------------------------------------------

// kubernetesObjects renders deploy/kubernetes with the kustomize CLI and
// decodes every object strictly: an unknown or misspelt field, a wrong type
// or an unknown kind is an error, as `kubectl apply --validate=strict` makes it.
func kubernetesObjects(tb testing.TB) []runtime.Object {
	tb.Helper()
	return kustomizeObjects(tb, kforstatstest.RepoPath(tb, "deploy", "kubernetes"))
}

// kustomizeObjects renders the kustomization in dir and decodes every
// object strictly, as kubernetesObjects says.
func kustomizeObjects(tb testing.TB, dir string) []runtime.Object {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, kforstatstest.GoTool(tb), "run", kustomize, "build", "--load-restrictor=LoadRestrictionsNone", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("kustomize build %s: %v\n%s", dir, err, stderr.String())
	}

	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, policyv1.AddToScheme, autoscalingv2.AddToScheme, monitoringv1.AddToScheme} {
		if err := add(scheme); err != nil {
			tb.Fatal(err)
		}
	}
	decoder := serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
	var objs []runtime.Object
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(out)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		obj, gvk, err := decoder.Decode(doc, nil, nil)
		if err != nil {
			tb.Errorf("kustomize build %s: %v\n%s", dir, err, firstLines(doc, 4))
			continue
		}
		tb.Logf("decoded %s", gvk)
		objs = append(objs, obj)
	}
	return objs
}

func firstLines(b []byte, n int) string {
	lines := strings.SplitN(string(b), "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

func only[T runtime.Object](tb testing.TB, objs []runtime.Object) T {
	tb.Helper()
	var found []T
	for _, o := range objs {
		if t, ok := o.(T); ok {
			found = append(found, t)
		}
	}
	if len(found) != 1 {
		var zero T
		tb.Fatalf("want exactly one %T in deploy/kubernetes, got %d", zero, len(found))
	}
	return found[0]
}

// TestKubernetes checks that the rendered manifests fit together the way a
// cluster will use them.
func TestKubernetes(t *testing.T) {
	objs := kubernetesObjects(t)
	if t.Failed() {
		t.FailNow()
	}
	dep := only[*appsv1.Deployment](t, objs)
	svc := only[*corev1.Service](t, objs)
	sm := only[*monitoringv1.ServiceMonitor](t, objs)
	pdb := only[*policyv1.PodDisruptionBudget](t, objs)
	hpa := only[*autoscalingv2.HorizontalPodAutoscaler](t, objs)
	cm := only[*corev1.ConfigMap](t, objs)
	pod := dep.Spec.Template
	podLabels := labels.Set(pod.Labels)
	if len(pod.Spec.Containers) != 1 {
		t.Fatalf("want one container, got %d", len(pod.Spec.Containers))
	}
	c := pod.Spec.Containers[0]
	port := func(name string) bool {
		return slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool { return p.Name == name })
	}

	t.Run("selectors select the pods", func(t *testing.T) {
		sel := func(what string, ls map[string]string) {
			if len(ls) == 0 || !labels.SelectorFromSet(ls).Matches(podLabels) {
				t.Errorf("%s selector %v does not select the pod labels %v", what, ls, pod.Labels)
			}
		}
		sel("Deployment", dep.Spec.Selector.MatchLabels)
		sel("Service", svc.Spec.Selector)
		sel("PodDisruptionBudget", pdb.Spec.Selector.MatchLabels)
		if !labels.SelectorFromSet(sm.Spec.Selector.MatchLabels).Matches(labels.Set(svc.Labels)) {
			t.Errorf("ServiceMonitor selector %v does not select the Service's labels %v", sm.Spec.Selector.MatchLabels, svc.Labels)
		}
	})

	t.Run("ports line up", func(t *testing.T) {
		for _, p := range svc.Spec.Ports {
			if !port(p.TargetPort.StrVal) {
				t.Errorf("Service port %s targets %q, not a container port name", p.Name, p.TargetPort.String())
			}
		}
		for _, e := range sm.Spec.Endpoints {
			if !slices.ContainsFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool { return p.Name == e.Port }) {
				t.Errorf("ServiceMonitor endpoint port %q is not a Service port name", e.Port)
			}
			if e.Path != "/metrics" {
				t.Errorf("ServiceMonitor scrapes %q, want /metrics", e.Path)
			}
		}
	})

	t.Run("probes", func(t *testing.T) {
		for name, tc := range map[string]struct {
			probe *corev1.Probe
			path  string
		}{
			"liveness":  {c.LivenessProbe, "/healthz"},
			"readiness": {c.ReadinessProbe, "/readyz"},
		} {
			if tc.probe == nil || tc.probe.HTTPGet == nil {
				t.Errorf("%s probe: want an HTTP GET of %s", name, tc.path)
				continue
			}
			if tc.probe.HTTPGet.Path != tc.path || !port(tc.probe.HTTPGet.Port.StrVal) {
				t.Errorf("%s probe GETs %s on port %s, want %s on a container port", name, tc.probe.HTTPGet.Path, tc.probe.HTTPGet.Port.String(), tc.path)
			}
		}
	})

	t.Run("security context", func(t *testing.T) {
		sc := c.SecurityContext
		if sc == nil {
			t.Fatal("container has no securityContext")
		}
		isTrue := func(b *bool) bool { return b != nil && *b }
		isFalse := func(b *bool) bool { return b != nil && !*b }
		if !isTrue(sc.RunAsNonRoot) || !isTrue(sc.ReadOnlyRootFilesystem) || !isFalse(sc.AllowPrivilegeEscalation) || !isFalse(sc.Privileged) {
			t.Errorf("container securityContext: want runAsNonRoot, readOnlyRootFilesystem, no privilege escalation, not privileged; got %+v", sc)
		}
		if sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0 {
			t.Errorf("capabilities %+v: want drop [ALL] and none added", sc.Capabilities)
		}
		psc := pod.Spec.SecurityContext
		uid, gid := imageUser(t, parseDockerfile(t))
		if psc == nil || psc.RunAsUser == nil || psc.RunAsGroup == nil || *psc.RunAsUser != int64(uid) || *psc.RunAsGroup != int64(gid) {
			t.Errorf("pod runs as %+v, want the image's USER %d:%d", psc, uid, gid)
		}
		if psc == nil || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
			t.Errorf("pod seccompProfile: want RuntimeDefault")
		}
	})

	t.Run("resources", func(t *testing.T) {
		r := c.Resources
		if r.Requests.Cpu().IsZero() || r.Requests.Memory().IsZero() || r.Limits.Memory().IsZero() {
			t.Errorf("resources %v: want CPU and memory requests and a memory limit", r)
		}
		if r.Limits.Memory().Cmp(*r.Requests.Memory()) < 0 {
			t.Errorf("memory limit %s below the request %s", r.Limits.Memory(), r.Requests.Memory())
		}
		for _, e := range c.Env {
			if e.Name != "GOMEMLIMIT" {
				continue
			}
			q, err := resource.ParseQuantity(strings.TrimSuffix(e.Value, "B"))
			if err != nil {
				t.Fatalf("GOMEMLIMIT=%s: %v", e.Value, err)
			}
			if q.Cmp(*r.Limits.Memory()) >= 0 {
				t.Errorf("GOMEMLIMIT=%s is not below the memory limit %s", e.Value, r.Limits.Memory())
			}
		}
	})

	t.Run("autoscaler and disruption budget", func(t *testing.T) {
		ref := hpa.Spec.ScaleTargetRef
		if ref.Kind != "Deployment" || ref.Name != dep.Name || ref.APIVersion != "apps/v1" {
			t.Errorf("HorizontalPodAutoscaler scales %+v, want the Deployment %s", ref, dep.Name)
		}
		for _, m := range hpa.Spec.Metrics {
			if m.Resource != nil && m.Resource.Name == corev1.ResourceCPU && c.Resources.Requests.Cpu().IsZero() {
				t.Error("HorizontalPodAutoscaler scales on CPU utilisation but the container requests no CPU")
			}
		}
		if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 2 {
			t.Error("HorizontalPodAutoscaler minReplicas: want at least 2, so that the disruption budget can let one go")
		}
		if pdb.Spec.MaxUnavailable == nil && pdb.Spec.MinAvailable == nil {
			t.Error("PodDisruptionBudget sets neither maxUnavailable nor minAvailable")
		}
	})

	t.Run("container command line", func(t *testing.T) {
		checkFlags(t, "Deployment args", append(slices.Clone(c.Command), c.Args...))
		var shutdown time.Duration = 15 * time.Second
		for _, a := range c.Args {
			if v, ok := strings.CutPrefix(a, "--web.shutdown-timeout="); ok {
				d, err := time.ParseDuration(v)
				if err != nil {
					t.Fatal(err)
				}
				shutdown = d
			}
		}
		grace := 30 * time.Second
		if g := pod.Spec.TerminationGracePeriodSeconds; g != nil {
			grace = time.Duration(*g) * time.Second
		}
		var preStop time.Duration
		if l := c.Lifecycle; l != nil && l.PreStop != nil && l.PreStop.Sleep != nil {
			preStop = time.Duration(l.PreStop.Sleep.Seconds) * time.Second
		}
		if grace <= shutdown+preStop {
			t.Errorf("terminationGracePeriodSeconds %s is not more than preStop %s + --web.shutdown-timeout %s: requests in flight would be killed", grace, preStop, shutdown)
		}
	})

	t.Run("dataset from the ConfigMap", func(t *testing.T) {
		keys := make([]string, 0, len(cm.Data))
		for k := range cm.Data {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		want := slices.Sorted(slices.Values(append([]string{dataset.VersionFile}, dataset.Files...)))
		if diff := cmp.Diff(want, keys); diff != "" {
			t.Errorf("ConfigMap %s keys, want dataset.Files and VERSION (-want +got):\n%s", cm.Name, diff)
		}
		fsys := fstest.MapFS{}
		for k, v := range cm.Data {
			fsys[k] = &fstest.MapFile{Data: []byte(v)}
		}
		if _, err := dataset.Load(fsys, dataset.Options{Dir: "configmap:" + cm.Name, Now: time.Now()}); err != nil {
			t.Errorf("the dataset in ConfigMap %s does not load:\n%v", cm.Name, err)
		}
		var vol *corev1.Volume
		for i := range pod.Spec.Volumes {
			if v := &pod.Spec.Volumes[i]; v.ConfigMap != nil && v.ConfigMap.Name == cm.Name {
				vol = v
			}
		}
		if vol == nil {
			t.Fatalf("no pod volume mounts ConfigMap %s", cm.Name)
		}
		var mount *corev1.VolumeMount
		for i := range c.VolumeMounts {
			if c.VolumeMounts[i].Name == vol.Name {
				mount = &c.VolumeMounts[i]
			}
		}
		if mount == nil {
			t.Fatalf("volume %s is not mounted", vol.Name)
		}
		if mount.SubPath != "" || mount.SubPathExpr != "" {
			t.Errorf("volume %s is mounted with a subPath: it would never see a changed ConfigMap", vol.Name)
		}
		if !slices.Contains(c.Args, "--data.path="+mount.MountPath) {
			t.Errorf("args %q: want --data.path=%s, where the ConfigMap is mounted", c.Args, mount.MountPath)
		}
		if slices.ContainsFunc(c.Args, func(a string) bool { return a == "--data.watch-interval=0" || a == "--data.watch-interval=0s" }) {
			t.Error("watching is off: a changed ConfigMap would never be loaded")
		}
	})
}

// TestKubernetesTLS renders deploy/kubernetes with its tls component, as
// the README turns it on, and checks that the pods serve
// deploy/web-config.yml with the Secret's certificate beside it, and that
// the probes and Prometheus speak HTTPS.
func TestKubernetesTLS(t *testing.T) {
	dir := t.TempDir()
	base, err := filepath.Rel(dir, kforstatstest.RepoPath(t, "deploy", "kubernetes"))
	if err != nil {
		t.Fatal(err)
	}
	// kustomize takes only relative paths to other kustomizations.
	k := fmt.Sprintf("resources:\n  - %s\ncomponents:\n  - %s\n", base, path.Join(base, "tls"))
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(k), 0o644); err != nil {
		t.Fatal(err)
	}
	objs := kustomizeObjects(t, dir)
	if t.Failed() {
		t.FailNow()
	}
	pod := only[*appsv1.Deployment](t, objs).Spec.Template
	c := pod.Spec.Containers[0]
	checkFlags(t, "Deployment args with tls", append(slices.Clone(c.Command), c.Args...))
	var file string
	for _, a := range c.Args {
		if v, ok := strings.CutPrefix(a, "--web.config.file="); ok {
			file = v
		}
	}
	if file == "" {
		t.Fatalf("args %q: no --web.config.file", c.Args)
	}
	var web struct {
		TLS struct {
			Cert string `json:"cert_file"`
			Key  string `json:"key_file"`
		} `json:"tls_server_config"`
	}
	readYAML(t, &web, "deploy", "web-config.yml")

	// The directory --web.config.file is in: what is projected there.
	files := map[string]string{} // file name: where it comes from
	for _, m := range c.VolumeMounts {
		if m.MountPath != path.Dir(file) {
			continue
		}
		for _, v := range pod.Spec.Volumes {
			if v.Name != m.Name || v.Projected == nil {
				continue
			}
			for _, src := range v.Projected.Sources {
				switch {
				case src.ConfigMap != nil:
					for _, o := range objs {
						if cm, ok := o.(*corev1.ConfigMap); ok && cm.Name == src.ConfigMap.Name {
							for k, v := range cm.Data {
								files[k] = "ConfigMap " + cm.Name
								if k == path.Base(file) && v != string(kforstatstest.ReadRepoFile(t, "deploy", "web-config.yml")) {
									t.Errorf("ConfigMap %s key %s differs from deploy/web-config.yml", cm.Name, k)
								}
							}
						}
					}
				case src.Secret != nil:
					for _, it := range src.Secret.Items {
						files[it.Path] = "Secret " + src.Secret.Name
					}
				}
			}
		}
	}
	for _, name := range []string{path.Base(file), web.TLS.Cert, web.TLS.Key} {
		if files[name] == "" {
			t.Errorf("%s: no %s projected there (have %v)", path.Dir(file), name, files)
		}
	}
	for name, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Scheme != corev1.URISchemeHTTPS {
			t.Errorf("%s probe: want an HTTPS GET", name)
		}
	}
	for _, e := range only[*monitoringv1.ServiceMonitor](t, objs).Spec.Endpoints {
		if e.Scheme == nil || *e.Scheme != "https" {
			t.Errorf("ServiceMonitor endpoint %s scrapes %v, want https", e.Port, e.Scheme)
		}
	}
}

// Compose -----------------------------------------------------------------

// TestCompose loads deploy/compose.yaml the way `docker compose config` does
// (compose-go, with the Compose Specification's schema) and checks that the
// services fit together.
func TestCompose(t *testing.T) {
	opts, err := cli.NewProjectOptions([]string{kforstatstest.RepoPath(t, "deploy", "compose.yaml")},
		cli.WithEnv([]string{}),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker compose config: deploy/compose.yaml: %v", err)
	}
	svc := func(name string) composetypes.ServiceConfig {
		s, err := p.GetService(name)
		if err != nil {
			t.Fatalf("deploy/compose.yaml: %v", err)
		}
		return s
	}
	d := parseDockerfile(t)
	uid, gid := imageUser(t, d)
	app, backfill, prom, graf := svc("kforstats"), svc("backfill"), svc("prometheus"), svc("grafana")

	t.Run("kforstats", func(t *testing.T) {
		if app.Build == nil || filepath.Base(app.Build.Dockerfile) != "Dockerfile" || app.Build.Target != "" {
			t.Errorf("kforstats builds %+v, want deploy/Dockerfile's default target", app.Build)
		}
		if !app.ReadOnly || app.User != fmt.Sprintf("%d:%d", uid, gid) || !slices.Equal(app.CapDrop, []string{"ALL"}) || !slices.Contains(app.SecurityOpt, "no-new-privileges:true") {
			t.Errorf("kforstats: want read_only, user %d:%d, cap_drop ALL and no-new-privileges; got read_only=%v user=%q cap_drop=%v security_opt=%v",
				uid, gid, app.ReadOnly, app.User, app.CapDrop, app.SecurityOpt)
		}
		checkFlags(t, "compose kforstats command", app.Command)
		if !slices.Contains(app.Command, "--web.listen-address=:8080") {
			t.Errorf("kforstats command %q: want --web.listen-address=:8080 (the image's health check and Prometheus use it)", app.Command)
		}
	})

	t.Run("backfill", func(t *testing.T) {
		if backfill.Build == nil || backfill.Build.Target != "backfill" {
			t.Fatalf("backfill builds %+v, want deploy/Dockerfile's backfill target", backfill.Build)
		}
		if arg := backfill.Build.Args["PROMETHEUS_IMAGE"]; arg == nil || *arg != prom.Image {
			t.Errorf("backfill's promtool comes from %v, Prometheus runs %s: want the same release", arg, prom.Image)
		}
		if got := d.metaArgs["PROMETHEUS_IMAGE"]; got != prom.Image {
			t.Errorf("deploy/Dockerfile PROMETHEUS_IMAGE defaults to %s, compose runs %s", got, prom.Image)
		}
		script := strings.Join(backfill.Command, " ")
		for _, want := range []string{"kforstats export openmetrics", "promtool tsdb create-blocks-from openmetrics --max-block-duration=87600h"} {
			if !strings.Contains(script, want) {
				t.Errorf("backfill script lacks %q:\n%s", want, script)
			}
		}
		m := regexp.MustCompile(`kforstats (export openmetrics[^\n]*)`).FindStringSubmatch(script)
		if m != nil {
			checkFlags(t, "compose backfill", strings.Fields(m[1]))
		}
		if !sharesVolume(backfill, prom, "/prometheus") {
			t.Error("backfill and prometheus do not share the volume at /prometheus")
		}
		if c, ok := prom.DependsOn["backfill"]; !ok || c.Condition != composetypes.ServiceConditionCompletedSuccessfully {
			t.Errorf("prometheus depends on backfill %+v, want condition service_completed_successfully", c)
		}
	})

	t.Run("prometheus keeps the history", func(t *testing.T) {
		for _, a := range prom.Command {
			if v, ok := strings.CutPrefix(a, "--storage.tsdb.retention.time="); ok {
				if !strings.HasSuffix(v, "y") {
					t.Errorf("retention %s: the history starts in 1999, want years", v)
				}
				return
			}
		}
		t.Error("prometheus runs with the default 15d retention: it would delete the backfilled history")
	})

	t.Run("files mounted where they point", func(t *testing.T) {
		target := func(s composetypes.ServiceConfig, src string) string {
			for _, v := range s.Volumes {
				if v.Type == composetypes.VolumeTypeBind && v.Source == src {
					return v.Target
				}
			}
			t.Fatalf("service %s does not mount %s", s.Name, src)
			return ""
		}
		var provider struct {
			Providers []struct{ Options struct{ Path string } }
		}
		readYAML(t, &provider, "deploy", "grafana", "provisioning", "dashboards", "kforstats.yml")
		dash := target(graf, kforstatstest.RepoPath(t, "deploy", "grafana", "dashboards"))
		if len(provider.Providers) != 1 || provider.Providers[0].Options.Path != dash {
			t.Errorf("Grafana's dashboard provider reads %+v, compose mounts the dashboards at %s", provider.Providers, dash)
		}
		var ds struct{ Datasources []struct{ URL string } }
		readYAML(t, &ds, "deploy", "grafana", "provisioning", "datasources", "prometheus.yml")
		if want := "http://prometheus:9090"; len(ds.Datasources) != 1 || ds.Datasources[0].URL != want {
			t.Errorf("Grafana's data source is %+v, want %s, the prometheus service", ds.Datasources, want)
		}
		var pc struct {
			RuleFiles     []string `json:"rule_files"`
			ScrapeConfigs []struct {
				StaticConfigs []struct{ Targets []string } `json:"static_configs"`
			} `json:"scrape_configs"`
		}
		readYAML(t, &pc, "deploy", "prometheus", "prometheus.yml")
		cfgDir := path.Dir(target(prom, kforstatstest.RepoPath(t, "deploy", "prometheus", "prometheus.yml")))
		rules := target(prom, kforstatstest.RepoPath(t, "deploy", "prometheus", "rules"))
		for _, rf := range pc.RuleFiles {
			if !strings.HasPrefix(path.Join(cfgDir, rf), rules+"/") {
				t.Errorf("prometheus.yml loads rules from %s, compose mounts them at %s", path.Join(cfgDir, rf), rules)
			}
		}
		if len(pc.ScrapeConfigs) == 0 || len(pc.ScrapeConfigs[0].StaticConfigs) == 0 || !slices.Contains(pc.ScrapeConfigs[0].StaticConfigs[0].Targets, "kforstats:8080") {
			t.Errorf("prometheus.yml scrapes %+v, want kforstats:8080, the kforstats service", pc.ScrapeConfigs)
		}
	})

	t.Run("mounts exist", func(t *testing.T) {
		for _, s := range []composetypes.ServiceConfig{app, backfill, prom, graf} {
			for _, v := range s.Volumes {
				if v.Type != composetypes.VolumeTypeBind {
					continue
				}
				if _, err := os.Stat(v.Source); err != nil {
					t.Errorf("service %s mounts %s, which does not exist", s.Name, v.Source)
				}
			}
		}
	})
}

func readYAML(tb testing.TB, v any, elem ...string) {
	tb.Helper()
	if err := yaml.Unmarshal(kforstatstest.ReadRepoFile(tb, elem...), v); err != nil {
		tb.Fatalf("%s: %v", path.Join(elem...), err)
	}
}

func sharesVolume(a, b composetypes.ServiceConfig, target string) bool {
	for _, va := range a.Volumes {
		for _, vb := range b.Volumes {
			if va.Type == composetypes.VolumeTypeVolume && va.Source == vb.Source && va.Target == target && vb.Target == target {
				return true
			}
		}
	}
	return false
}

// systemd -------------------------------------------------------------------

// TestSystemdUnit verifies deploy/systemd/kforstats.service with
// systemd-analyze and rates its sandboxing.
func TestSystemdUnit(t *testing.T) {
	analyze := kforstatstest.NeedTool(t, "systemd-analyze", "apt-get install systemd")
	unit := kforstatstest.ReadRepoFile(t, "deploy", "systemd", "kforstats.service")

	m := regexp.MustCompile(`(?m)^ExecStart=(\S+) (.*)$`).FindSubmatch(unit)
	if m == nil {
		t.Fatal("no ExecStart=")
	}
	bin := string(m[1])
	args := strings.Fields(os.Expand(string(m[2]), func(string) string { return "" }))
	checkFlags(t, "ExecStart", args)

	// verify wants ExecStart's program to exist: check a copy that points at
	// a real build, all else as written.
	dir := t.TempDir()
	built := kforstats(t)
	copyPath := filepath.Join(dir, "kforstats.service")
	if err := os.WriteFile(copyPath, bytes.ReplaceAll(unit, []byte("ExecStart="+bin), []byte("ExecStart="+built)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(analyze, "verify", copyPath).CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify deploy/systemd/kforstats.service: %v\n%s", err, out)
	}

	// Exposure 0 (locked down) to 10 (unprotected); 2.0 and below is what
	// systemd calls OK.
	out, err := exec.Command(analyze, "security", "--offline=yes", "--threshold=20", kforstatstest.RepoPath(t, "deploy", "systemd", "kforstats.service")).CombinedOutput()
	level := regexp.MustCompile(`Overall exposure level for \S+: (\S+ \S+)`).FindSubmatch(out)
	if err != nil || level == nil {
		t.Errorf("systemd-analyze security: %v: want exposure 2.0 or less\n%s", err, out)
	} else {
		t.Logf("systemd-analyze security: exposure %s", level[1])
	}
	for _, opt := range []string{"DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "ProtectHome=yes", "PrivateTmp=yes", "CapabilityBoundingSet=\n"} {
		if !bytes.Contains(unit, []byte("\n"+opt)) {
			t.Errorf("kforstats.service lacks %q", strings.TrimSpace(opt))
		}
	}
}
