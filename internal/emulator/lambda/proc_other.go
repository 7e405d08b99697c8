//go:build !unix

package lambda

import "os/exec"

func setProcessGroup(*exec.Cmd) {}

func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

func maxMemoryMB(*exec.Cmd) int { return 0 }
