// Package systemtest holds the system tests of kforstats: the files in
// deploy/ checked by the code of the tools that read them (BuildKit,
// kustomize and the Kubernetes types, compose-go, systemd-analyze), the
// container's contract, the served binary as the deployments run it, and the
// load and soak runs.
//
// It is a module of its own so that those tools' modules stay out of the
// product's go.mod. The tests drive the built binary from outside: they
// build ./cmd/kforstats once per run and talk to it by exec and HTTP. Run
// them with make check-deploy (make test), make soak and make bench.
package systemtest
