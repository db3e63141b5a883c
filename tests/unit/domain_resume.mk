# SPDX-License-Identifier: GPL-2.0-only
# domctl resumedomain (domain_resume.c): only a suspended domain runs again,
# each vCPU gets back exactly the pause its shutdown took.
TESTS += domain_resume
src_domain_resume := $(HV)/domain_resume.c
