// Command sdkgen writes the Python and Go SDKs of a Pulumi package from its schema, with the code generators of
// the pinned Pulumi CLI's own module (github.com/pulumi/pulumi/pkg/v3): the generators `pulumi package gen-sdk`
// reaches through a language host's GeneratePackage call. The bench can build only the language hosts that
// shipped inside the SDK module, which predate that call, so this tool calls the generators directly.
//
//	sdkgen -schema thanos-stack.json -ref kubernetes=kubernetes.json -out out/sdk [-go-module example.com/thanos-stack/sdk/go]
//
// Packages the schema references must be given with -ref (their schemas, as `pulumi package get-schema` prints
// them). Resources and types that reference a package without a schema are left out of the SDKs and listed on
// stderr (the AWS provider, whose plugin cannot be had on the bench, is the case this is for).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	pygen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// refs is the -ref flag: name=schema-file, repeatable.
type refs map[string]string

func (r refs) String() string { return fmt.Sprint(map[string]string(r)) }
func (r refs) Set(v string) error {
	name, file, ok := strings.Cut(v, "=")
	if !ok || name == "" || file == "" {
		return fmt.Errorf("-ref wants name=schema.json, got %q", v)
	}
	r[name] = file
	return nil
}

// loader serves the referenced packages from their schema files, each bound once.
type loader struct {
	files map[string]string
	bound map[string]*schema.Package
}

func (l *loader) load(name string) (*schema.Package, error) {
	if p, ok := l.bound[name]; ok {
		return p, nil
	}
	file, ok := l.files[name]
	if !ok {
		return nil, fmt.Errorf("no schema for package %q (pass -ref %s=<schema.json>)", name, name)
	}
	spec, err := readSpec(file)
	if err != nil {
		return nil, err
	}
	p, diags, err := schema.BindSpec(spec, l, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, fmt.Errorf("binding %s: %w", file, err)
	}
	if diags.HasErrors() {
		return nil, fmt.Errorf("binding %s: %s", file, diags.Error())
	}
	l.bound[name] = p
	return p, nil
}

func (l *loader) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return l.load(name)
}
func (l *loader) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.load(d.Name)
}
func (l *loader) LoadPackageReference(name string, _ *semver.Version) (schema.PackageReference, error) {
	p, err := l.load(name)
	if err != nil {
		return nil, err
	}
	return p.Reference(), nil
}
func (l *loader) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return l.LoadPackageReference(d.Name, d.Version)
}

func readSpec(file string) (schema.PackageSpec, error) {
	var spec schema.PackageSpec
	data, err := os.ReadFile(file)
	if err != nil {
		return spec, err
	}
	if err := json.Unmarshal(data, &spec); err != nil {
		return spec, fmt.Errorf("%s: %w", file, err)
	}
	return spec, nil
}

// externalPackage is the package a `$ref` names ("/aws/v7.48.0/schema.json#/..." -> "aws"), or "" for a local one.
func externalPackage(ref string) string {
	if strings.HasPrefix(ref, "#") || !strings.HasPrefix(ref, "/") {
		return ""
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(ref, "/"), "/")
	return name
}

// refsOf collects every `$ref` in a JSON value.
func refsOf(v any, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "$ref" {
				out[s] = true
			} else {
				refsOf(e, out)
			}
		}
	case []any:
		for _, e := range x {
			refsOf(e, out)
		}
	}
}

// refsIn returns every `$ref` of a resource or type spec.
func refsIn(spec any) map[string]bool {
	data, _ := json.Marshal(spec)
	var generic any
	_ = json.Unmarshal(data, &generic)
	all := map[string]bool{}
	refsOf(generic, all)
	return all
}

// missingPackages returns, for a resource or type spec, the referenced packages that have no schema.
func missingPackages(spec any, known refs) []string {
	set := map[string]bool{}
	for ref := range refsIn(spec) {
		if p := externalPackage(ref); p != "" && known[p] == "" {
			set[p] = true
		}
	}
	missing := make([]string, 0, len(set))
	for p := range set {
		missing = append(missing, p)
	}
	sort.Strings(missing)
	return missing
}

// prune leaves out what references a package without a schema: those types first, then every resource or type
// that uses one of them (local `#/types/...` references), until nothing more goes. It returns what it left out.
func prune(spec *schema.PackageSpec, known refs) []string {
	var dropped []string
	gone := map[string]bool{}
	for {
		changed := false
		for token, t := range spec.Types {
			if missing := missingPackages(t, known); len(missing) > 0 || usesGone(t, gone) {
				delete(spec.Types, token)
				gone["#/types/"+token] = true
				dropped = append(dropped, fmt.Sprintf("type %s (%s)", token, describe(missing)))
				changed = true
			}
		}
		for token, r := range spec.Resources {
			if missing := missingPackages(r, known); len(missing) > 0 || usesGone(r, gone) {
				delete(spec.Resources, token)
				dropped = append(dropped, fmt.Sprintf("resource %s (%s)", token, describe(missing)))
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	sort.Strings(dropped)
	return dropped
}

func describe(missing []string) string {
	if len(missing) == 0 {
		return "uses a type left out"
	}
	return "references package " + strings.Join(missing, ", ") + ", whose schema was not given"
}

func usesGone(spec any, gone map[string]bool) bool {
	for ref := range refsIn(spec) {
		if gone[ref] {
			return true
		}
	}
	return false
}

func write(dir string, files map[string][]byte) error {
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func run() error {
	known := refs{}
	schemaFile := flag.String("schema", "", "the package's schema (JSON)")
	out := flag.String("out", "", "output directory (python/ and go/ are written below it)")
	goModule := flag.String("go-module", "", "the Go SDK's module path (its import path is <module>/<package name>)")
	flag.Var(known, "ref", "name=schema.json of a package the schema references (repeatable)")
	flag.Parse()
	if *schemaFile == "" || *out == "" {
		return fmt.Errorf("usage: sdkgen -schema <schema.json> -out <dir> [-ref name=schema.json ...] [-go-module path]")
	}
	spec, err := readSpec(*schemaFile)
	if err != nil {
		return err
	}
	// The schema lists its dependencies; only those with a schema stay.
	for _, d := range prune(&spec, known) {
		fmt.Fprintf(os.Stderr, "sdkgen: left out %s\n", d)
	}
	var deps []schema.PackageDescriptor
	for _, d := range spec.Dependencies {
		if known[d.Name] != "" {
			deps = append(deps, d)
		}
	}
	spec.Dependencies = deps
	if spec.Meta == nil {
		spec.Meta = &schema.MetadataSpec{}
	}
	spec.Meta.SupportPack = true
	if *goModule != "" {
		goInfo := map[string]any{"importBasePath": *goModule + "/" + strings.ReplaceAll(spec.Name, "-", ""), "modulePath": *goModule}
		if existing, ok := spec.Language["go"]; ok {
			var m map[string]any
			if json.Unmarshal(existing, &m) == nil {
				for k, v := range m {
					if _, set := goInfo[k]; !set {
						goInfo[k] = v
					}
				}
			}
		}
		data, _ := json.Marshal(goInfo)
		if spec.Language == nil {
			spec.Language = map[string]schema.RawMessage{}
		}
		spec.Language["go"] = data
	}
	l := &loader{files: known, bound: map[string]*schema.Package{}}
	pkg, diags, err := schema.BindSpec(spec, l, schema.ValidationOptions{})
	if err != nil {
		return fmt.Errorf("binding %s: %w", *schemaFile, err)
	}
	if diags.HasErrors() {
		return fmt.Errorf("binding %s: %s", *schemaFile, diags.Error())
	}
	py, err := pygen.GeneratePackage("thanos-stack-sdkgen", pkg, nil, l)
	if err != nil {
		return fmt.Errorf("python: %w", err)
	}
	if err := write(filepath.Join(*out, "python"), py); err != nil {
		return err
	}
	golang, err := gogen.GeneratePackage("thanos-stack-sdkgen", pkg, nil)
	if err != nil {
		return fmt.Errorf("go: %w", err)
	}
	if err := write(filepath.Join(*out, "go"), golang); err != nil {
		return err
	}
	fmt.Printf("sdkgen: %s %s: %d resources, %d types -> %s (python: %d files, go: %d files)\n", spec.Name, spec.Version, len(spec.Resources), len(spec.Types), *out, len(py), len(golang))
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "sdkgen: %v\n", err)
		os.Exit(1)
	}
}
