// Command nullable reads the Go API types of Kubernetes (k8s.io/api, k8s.io/apimachinery,
// k8s.io/apiextensions-apiserver, k8s.io/kube-aggregator at one version, from the module
// cache) and prints, as JSON, which fields of which OpenAPI definition encoding/json can
// write as null:
//
//   - a pointer, slice, map or interface field without omitempty/omitzero (nil marshals null);
//   - a field of a struct type whose MarshalJSON writes null for its zero value
//     (metav1.Time, metav1.MicroTime, ...) without omitzero: omitempty never omits a struct.
//
// Only the standard library (go/parser) is used: nothing is compiled from Kubernetes.
//
//	go run . k8s.io/api=/path/to/k8s.io/api@v0.36.3 k8s.io/apimachinery=/path/... > out.json
package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

type typeDecl struct {
	pkg     string
	name    string
	expr    ast.Expr
	imports map[string]string // file's import name -> path
}

type universe struct {
	types map[string]*typeDecl // "pkg.Name"
	// struct types whose MarshalJSON can write the literal null ("pkg.Name")
	nullMarshallers map[string]bool
}

func main() {
	u := &universe{types: map[string]*typeDecl{}, nullMarshallers: map[string]bool{}}
	for _, arg := range os.Args[1:] {
		module, dir, ok := strings.Cut(arg, "=")
		if !ok {
			fmt.Fprintf(os.Stderr, "nullable: argument %q is not module=dir\n", arg)
			os.Exit(2)
		}
		if err := u.load(module, dir); err != nil {
			fmt.Fprintf(os.Stderr, "nullable: %v\n", err)
			os.Exit(1)
		}
	}
	out := map[string][]string{}
	for _, key := range sortedKeys(u.types) {
		t := u.types[key]
		st, ok := t.expr.(*ast.StructType)
		if !ok {
			continue
		}
		fields := u.nullableFields(t, st, map[string]bool{})
		if len(fields) == 0 {
			continue
		}
		sort.Strings(fields)
		out[definitionName(t.pkg, t.name)] = fields
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(os.Stderr, "nullable: %v\n", err)
		os.Exit(1)
	}
}

// definitionName maps a Go package path and type name to the OpenAPI definition name
// (k8s.io/api/core/v1.Pod -> io.k8s.api.core.v1.Pod).
func definitionName(pkg, name string) string {
	rest := strings.TrimPrefix(pkg, "k8s.io/")
	return "io.k8s." + strings.ReplaceAll(rest, "/", ".") + "." + name
}

// load parses every non-test Go file of the module's packages that hold API types.
func (u *universe) load(module, dir string) error {
	fset := token.NewFileSet()
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			base := d.Name()
			if path != dir && (base == "testdata" || base == "vendor" || base == "internal" || strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(dir, filepath.Dir(path))
		pkg := module
		if rel != "." {
			pkg = module + "/" + filepath.ToSlash(rel)
		}
		file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		imports := map[string]string{}
		for _, spec := range file.Imports {
			p, _ := strconv.Unquote(spec.Path.Value)
			name := p[strings.LastIndex(p, "/")+1:]
			if spec.Name != nil {
				name = spec.Name.Name
			}
			imports[name] = p
		}
		for _, decl := range file.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					if ts, ok := spec.(*ast.TypeSpec); ok {
						u.types[pkg+"."+ts.Name.Name] = &typeDecl{pkg: pkg, name: ts.Name.Name, expr: ts.Type, imports: imports}
					}
				}
			case *ast.FuncDecl:
				if d.Name.Name == "MarshalJSON" && d.Recv != nil && len(d.Recv.List) == 1 && writesNull(d.Body) {
					if recv := receiverName(d.Recv.List[0].Type); recv != "" {
						u.nullMarshallers[pkg+"."+recv] = true
					}
				}
			}
		}
		return nil
	})
}

func receiverName(expr ast.Expr) string {
	if star, ok := expr.(*ast.StarExpr); ok {
		expr = star.X
	}
	if id, ok := expr.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// writesNull: the method's body has the string literal "null" (as in `return []byte("null"), nil`).
func writesNull(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if v, err := strconv.Unquote(lit.Value); err == nil && v == "null" {
				found = true
			}
		}
		return !found
	})
	return found
}

type jsonTag struct {
	name      string
	omitEmpty bool
	omitZero  bool
	inline    bool
	skip      bool
}

func parseTag(field *ast.Field) jsonTag {
	if field.Tag == nil {
		return jsonTag{inline: len(field.Names) == 0}
	}
	raw, _ := strconv.Unquote(field.Tag.Value)
	value, ok := reflect.StructTag(raw).Lookup("json")
	if !ok {
		return jsonTag{inline: len(field.Names) == 0}
	}
	if value == "-" {
		return jsonTag{skip: true}
	}
	parts := strings.Split(value, ",")
	tag := jsonTag{name: parts[0]}
	for _, option := range parts[1:] {
		switch option {
		case "omitempty":
			tag.omitEmpty = true
		case "omitzero":
			tag.omitZero = true
		case "inline":
			tag.inline = true
		}
	}
	if tag.name == "" && len(field.Names) == 0 {
		tag.inline = true
	}
	return tag
}

// nullableFields lists the JSON names of the struct's fields that can marshal as null,
// following inlined (embedded) structs.
func (u *universe) nullableFields(t *typeDecl, st *ast.StructType, seen map[string]bool) []string {
	var out []string
	for _, field := range st.Fields.List {
		tag := parseTag(field)
		if tag.skip {
			continue
		}
		if tag.inline {
			if inner := u.resolve(t, field.Type); inner != nil {
				if innerStruct, ok := inner.expr.(*ast.StructType); ok && !seen[inner.pkg+"."+inner.name] {
					seen[inner.pkg+"."+inner.name] = true
					out = append(out, u.nullableFields(inner, innerStruct, seen)...)
				}
			}
			continue
		}
		if len(field.Names) > 0 && !field.Names[0].IsExported() {
			continue
		}
		name := tag.name
		if name == "" && len(field.Names) > 0 {
			name = field.Names[0].Name
		}
		if tag.omitZero {
			continue // nil and zero values are left out
		}
		switch u.kind(t, field.Type, 0) {
		case "nil":
			if !tag.omitEmpty {
				out = append(out, name)
			}
		case "null-marshaller":
			out = append(out, name) // omitempty does not omit a struct
		}
	}
	return out
}

// kind says how a field's type marshals its zero value: "nil" (pointer, slice, map,
// interface: null), "null-marshaller" (a struct whose MarshalJSON writes null), or "value".
func (u *universe) kind(t *typeDecl, expr ast.Expr, depth int) string {
	if depth > 10 {
		return "value"
	}
	switch e := expr.(type) {
	case *ast.StarExpr, *ast.MapType, *ast.InterfaceType:
		return "nil"
	case *ast.ArrayType:
		if e.Len == nil {
			return "nil"
		}
		return "value"
	case *ast.Ident, *ast.SelectorExpr:
		decl := u.resolve(t, e)
		if decl == nil {
			return "value" // builtin or a type from outside the loaded modules
		}
		if _, isStruct := decl.expr.(*ast.StructType); isStruct {
			if u.nullMarshallers[decl.pkg+"."+decl.name] {
				return "null-marshaller"
			}
			return "value"
		}
		return u.kind(decl, decl.expr, depth+1)
	}
	return "value"
}

// resolve finds the declaration a type name refers to, from the file of t.
func (u *universe) resolve(t *typeDecl, expr ast.Expr) *typeDecl {
	if star, ok := expr.(*ast.StarExpr); ok {
		expr = star.X
	}
	switch e := expr.(type) {
	case *ast.Ident:
		return u.types[t.pkg+"."+e.Name]
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok {
			if path, ok := t.imports[x.Name]; ok {
				return u.types[path+"."+e.Sel.Name]
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
