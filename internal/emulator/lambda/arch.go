package lambda

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// hostArchitecture is the Lambda architecture of the emulator's host.
func hostArchitecture() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "arm64"
	}
	return runtime.GOARCH
}

// Architectures Lambda runs: the ELF machine of their binaries, and the
// QEMU user-mode emulator (Debian package qemu-user) that runs such binaries
// on a host of another architecture.
var architectures = map[string]struct {
	machine elf.Machine
	qemu    string
	libs    string // where Debian's cross libraries live, for dynamic binaries
}{
	"x86_64": {elf.EM_X86_64, "qemu-x86_64", "/usr/x86_64-linux-gnu"},
	"arm64":  {elf.EM_AARCH64, "qemu-aarch64", "/usr/aarch64-linux-gnu"},
}

// SetQEMU chooses whether bootstraps built for the other architecture than
// the host's run through QEMU user-mode emulation (true, the default: when
// qemu-aarch64 / qemu-x86_64 is on PATH or registered with binfmt_misc) or
// fail with Runtime.InvalidEntrypoint as on a host without QEMU (false).
func (s *Service) SetQEMU(enabled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noQEMU = !enabled
}

func (s *Service) qemuEnabled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.noQEMU
}

// bootstrapCommand returns the command that starts a function's bootstrap,
// or the Runtime.InvalidEntrypoint message that explains why it cannot
// start. As on AWS, a bootstrap that is missing, not executable or an ELF
// binary for another machine than the function's Architectures fails; a
// script (#!) runs on the host. An ELF binary of the function's architecture
// runs directly on a host of that architecture and, on a host of the other
// one, through QEMU when it is available.
func (s *Service) bootstrapCommand(path, architecture string) (*exec.Cmd, string) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"
	}
	if st.Mode().Perm()&0o111 == 0 {
		return nil, "fork/exec /var/task/bootstrap: permission denied"
	}
	f, err := elf.Open(path)
	if err != nil {
		return exec.Command(path), "" // not ELF: a script with a #! line, run by the host
	}
	machine := f.Machine
	f.Close()
	arch, known := architectures[architecture]
	if !known || machine != arch.machine {
		return nil, "fork/exec /var/task/bootstrap: exec format error"
	}
	if runtime.GOOS != "linux" {
		return nil, fmt.Sprintf("the emulator's host runs %s and cannot execute the Linux bootstrap", runtime.GOOS)
	}
	host := hostArchitecture()
	if architecture == host {
		return exec.Command(path), ""
	}
	if s.qemuEnabled() {
		for _, name := range []string{arch.qemu, arch.qemu + "-static"} {
			if qemu, err := exec.LookPath(name); err == nil {
				cmd := exec.Command(qemu, path)
				if st, err := os.Stat(arch.libs); err == nil && st.IsDir() {
					cmd.Env = append(cmd.Env, "QEMU_LD_PREFIX="+arch.libs)
				}
				return cmd, ""
			}
		}
		if binfmtRegistered(arch.qemu) {
			return exec.Command(path), ""
		}
	}
	return nil, fmt.Sprintf("fork/exec /var/task/bootstrap: exec format error (the emulator's host is %s and runs bootstraps built for the %s architecture only through QEMU user-mode emulation: install the qemu-user package so that %s is on PATH, or deploy the function with Architectures [%s] and a %s bootstrap)",
		host, architecture, arch.qemu, host, host)
}

// binfmtRegistered reports whether the kernel runs binaries of a foreign
// architecture through QEMU by itself (binfmt_misc, Debian's
// qemu-user-binfmt).
func binfmtRegistered(qemu string) bool {
	data, err := os.ReadFile("/proc/sys/fs/binfmt_misc/" + qemu)
	return err == nil && strings.HasPrefix(string(data), "enabled")
}
