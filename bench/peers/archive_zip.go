// Command archive_zip is the benchmark's stand-in for Terraform's archive_file
// data source (hashicorp/terraform-provider-archive, type = "zip",
// source_dir = SRC): it walks the directory with filepath.Walk, writes every
// regular file with Go's archive/zip (Deflate, the package's default
// compressor, fixed zero modification time, mode from the file), reading each
// file whole as archive_file does, then reads the ZIP back and computes the
// output_sha (SHA-1), output_base64sha256 and output_md5 attributes.
//
// It is a benchmark peer only: standard library, no flags beyond the two
// paths, no attempt to be faster than the original.
//
// Usage: archive_zip SRC_DIR OUT.zip
package main

import (
	"archive/zip"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

func archiveDir(src string, out string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	w := zip.NewWriter(f)
	err = filepath.Walk(src, func(path string, info os.FileInfo, walkErr error) error {
		if walkErr != nil {
			return fmt.Errorf("walking %s: %w", path, walkErr)
		}
		if info.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		hdr, err := zip.FileInfoHeader(info)
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(rel)
		hdr.Method = zip.Deflate
		hdr.SetModTime(time.Time{})
		entry, err := w.CreateHeader(hdr)
		if err != nil {
			return err
		}
		content, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		_, err = entry.Write(content)
		return err
	})
	if err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return f.Close()
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: archive_zip SRC_DIR OUT.zip")
		os.Exit(2)
	}
	if err := archiveDir(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "archive_zip:", err)
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "archive_zip:", err)
		os.Exit(2)
	}
	s1 := sha1.Sum(data)
	s256 := sha256.Sum256(data)
	m5 := md5.Sum(data)
	fmt.Printf("output_sha=%s output_base64sha256=%s output_md5=%s output_size=%d\n",
		hex.EncodeToString(s1[:]), base64.StdEncoding.EncodeToString(s256[:]),
		hex.EncodeToString(m5[:]), len(data))
}
